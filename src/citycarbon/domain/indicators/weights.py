"""Weights of an inner node's children: equal, expert, and AHP from a pairwise comparison matrix.

Entropy weights depend on the data and are computed by the engine
(:func:`citycarbon.engines.indicators.evaluate.entropy_weights`); everything here is fixed by the
definition and is checked when it is loaded.

References
----------
Saaty, T. L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill. Priorities are the
principal right eigenvector of the reciprocal comparison matrix; consistency index
CI = (λmax − n)/(n − 1), consistency ratio CR = CI/RI(n), acceptable when CR < 0.1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

#: Tolerance of "weights sum to 1" and of the reciprocal check a_ji = 1/a_ij.
SUM_TOLERANCE = 1e-6
RECIPROCAL_TOLERANCE = 1e-3
#: Saaty's acceptance limit of the consistency ratio.
MAX_CONSISTENCY_RATIO = 0.1
_POWER_ITERATIONS = 1000
_POWER_TOLERANCE = 1e-13


@dataclass(frozen=True, slots=True)
class AhpResult:
    """Priorities of an AHP matrix and its consistency.

    Parameters
    ----------
    weights
        Principal eigenvector normalised to sum to 1, in the matrix's order.
    lambda_max
        Principal eigenvalue.
    consistency_index
        CI = (λmax − n)/(n − 1); 0 for n ≤ 2.
    random_index
        Saaty's RI for n (from the reference data).
    consistency_ratio
        CR = CI/RI; 0 when RI is 0 (n ≤ 2, always consistent).

    """

    weights: tuple[float, ...]
    lambda_max: float
    consistency_index: float
    random_index: float
    consistency_ratio: float


def equal_weights(count: int) -> tuple[float, ...]:
    """``count`` equal weights summing to 1."""
    return tuple(1.0 / count for _ in range(count))


def weights_sum_to_one(weights: Sequence[float]) -> bool:
    """Whether expert weights sum to 1 within :data:`SUM_TOLERANCE`."""
    return abs(math.fsum(weights) - 1.0) <= SUM_TOLERANCE


def matrix_shape_problem(matrix: Sequence[Sequence[float]]) -> str | None:
    """Why ``matrix`` is not a positive reciprocal square matrix, or ``None`` when it is.

    The reason is an English fragment naming the offending cell (1-based row and column).
    """
    size = len(matrix)
    for i, row in enumerate(matrix, start=1):
        if len(row) != size:
            return f"row {i} has {len(row)} entries for {size} rows (not square)"
    for i in range(size):
        for j in range(size):
            value = matrix[i][j]
            if not math.isfinite(value) or value <= 0:
                return f"entry ({i + 1}, {j + 1}) = {value} is not a positive number"
        if abs(matrix[i][i] - 1.0) > RECIPROCAL_TOLERANCE:
            return f"diagonal entry ({i + 1}, {i + 1}) = {matrix[i][i]} is not 1"
    for i in range(size):
        for j in range(i + 1, size):
            if abs(matrix[i][j] * matrix[j][i] - 1.0) > RECIPROCAL_TOLERANCE:
                return (
                    f"entries ({i + 1}, {j + 1}) = {matrix[i][j]} and ({j + 1}, {i + 1}) = "
                    f"{matrix[j][i]} are not reciprocal"
                )
    return None


def ahp_weights(matrix: Sequence[Sequence[float]], random_index: Mapping[int, float]) -> AhpResult:
    """Principal eigenvector (power iteration) and consistency ratio of a reciprocal matrix.

    Parameters
    ----------
    matrix
        Positive reciprocal square matrix; ``matrix[i][j]`` says how much more important
        child ``i`` is than child ``j`` on Saaty's 1–9 scale.
    random_index
        Saaty's random consistency index by matrix size.

    Raises
    ------
    KeyError
        When ``random_index`` has no value for the matrix size (the caller reports it).

    """
    size = len(matrix)
    vector = [1.0 / size] * size
    for _ in range(_POWER_ITERATIONS):
        product = [math.fsum(matrix[i][j] * vector[j] for j in range(size)) for i in range(size)]
        total = math.fsum(product)
        following = [value / total for value in product]
        converged = max(abs(a - b) for a, b in zip(following, vector, strict=True)) < _POWER_TOLERANCE
        vector = following
        if converged:
            break
    product = [math.fsum(matrix[i][j] * vector[j] for j in range(size)) for i in range(size)]
    lambda_max = math.fsum(product[i] / vector[i] for i in range(size)) / size
    index = (lambda_max - size) / (size - 1) if size > 2 else 0.0
    ri = random_index[size]
    ratio = index / ri if ri > 0 else 0.0
    return AhpResult(tuple(vector), lambda_max, index, ri, ratio)


def parse_ratio(value: object) -> float:
    """A matrix entry written as a number or a fraction such as ``"1/3"``.

    Raises
    ------
    ValueError
        When the entry is neither.

    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if "/" in text:
        numerator, _, denominator = text.partition("/")
        return float(numerator) / float(denominator)
    return float(text)
