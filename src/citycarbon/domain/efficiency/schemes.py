"""Grading schemes as values: bands on a metric, grouped into dimensions, combined into a grade.

Zhejiang's carbon-efficiency code (Huzhou origin) grades an enterprise by the ratio K of its
intensity to its industry's benchmark, in five bands, and adds an absolute level (low / medium /
high carbon) from the intensity itself. Quzhou labels accounts in four colours from three
dimensions. Both are the same structure — a metric cut into ranked bands — so a scheme is data,
and several schemes (and versions of them) can coexist.

References
----------
《规上工业企业碳效等级评价方法》 (Huzhou); DB33/T 1347-2023; Quzhou 三维四色 carbon accounts.

"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Literal

from citycarbon.domain.errors import ReferenceDataError

Metric = Literal["k_industry", "intensity_value_added", "k_region", "intensity_change"]
METRICS: tuple[Metric, ...] = ("k_industry", "intensity_value_added", "k_region", "intensity_change")
MAX_RANKS = 5

MSG_BANDS_GAP = "Scheme {scheme} dimension {dimension}: band {band} does not start where the previous ends"
MSG_BANDS_OPEN = "Scheme {scheme} dimension {dimension} must start and end with an open band"
MSG_RANKS = "Scheme {scheme} dimension {dimension}: ranks must run 1, 2, … up to at most 5"
MSG_COLOURS = "Scheme {scheme}: combined dimensions must give the same colour to the same rank"
MSG_UNKNOWN_DIMENSION = "Scheme {scheme} names dimension {dimension}, which has no bands"


@dataclass(frozen=True, slots=True)
class Band:
    """One band of a metric: ``lower_exclusive < value <= upper_inclusive`` (``None`` = open).

    Parameters
    ----------
    code
        Band code stored with every result (``"3"``, ``"high"``, ``"red"``).
    rank
        1 is best; ranks of the grade dimensions are the grade.
    lower_exclusive, upper_inclusive
        Band limits in the unit of the metric [dimensionless or tCO2e/10^4 CNY].
    label_zh, label_en
        Names shown on cards and reports.
    colour
        Colour name of the band, empty when the dimension has no colour.

    """

    code: str
    rank: int
    lower_exclusive: float | None
    upper_inclusive: float | None
    label_zh: str
    label_en: str
    colour: str = ""

    def contains(self, value: float) -> bool:
        """Whether ``value`` falls into this band (upper limit inclusive, as the method states)."""
        above = self.lower_exclusive is None or value > self.lower_exclusive
        below = self.upper_inclusive is None or value <= self.upper_inclusive
        return above and below


@dataclass(frozen=True, slots=True)
class Dimension:
    """A metric and its ordered bands."""

    name: str
    metric: Metric
    bands: tuple[Band, ...]

    def band_for(self, value: float | None) -> Band | None:
        """Band of ``value``, or ``None`` when the value is missing or not finite.

        Examples
        --------
        >>> d = Dimension("relative", "k_industry", (
        ...     Band("1", 1, None, 0.6, "高", "high"), Band("2", 2, 0.6, None, "低", "low")))
        >>> d.band_for(0.6).code, d.band_for(0.61).code
        ('1', '2')

        """
        if value is None or not math.isfinite(value):
            return None
        return next((band for band in self.bands if band.contains(value)), None)


@dataclass(frozen=True, slots=True)
class GradingScheme:
    """A versioned scheme: grade dimensions (combined by the worst rank) and an optional level.

    Parameters
    ----------
    code, version
        Scheme code (``huzhou``) and dataset version (``2026.1``), recorded with every grade.
    grade_dimensions
        The first is required for a grade; the others count when they can be evaluated, and
        the grade is the worst (highest) rank among them.
    level_dimension
        Absolute level (low / medium / high carbon), or ``None``.
    status
        VERIFIED / PARTIAL / UNVERIFIED, shown next to every grade it produces.

    """

    code: str
    version: str
    name_zh: str
    name_en: str
    grade_dimensions: tuple[Dimension, ...]
    level_dimension: Dimension | None
    status: str

    def __post_init__(self) -> None:
        for dimension in (*self.grade_dimensions, *([self.level_dimension] if self.level_dimension else [])):
            _check_bands(self.code, dimension)
        colours = {(b.rank, b.colour) for d in self.grade_dimensions for b in d.bands}
        if len({rank for rank, _ in colours}) != len(colours):
            raise ReferenceDataError(MSG_COLOURS, scheme=self.code)

    @property
    def key(self) -> str:
        """``<code>@<version>``, the scheme's lineage key."""
        return f"{self.code}@{self.version}"

    @property
    def ranks(self) -> tuple[Band, ...]:
        """One band per grade rank (of the first grade dimension), best first."""
        return self.grade_dimensions[0].bands

    def grade_for(self, metrics: dict[str, float | None]) -> Band | None:
        """Grade band from metric values; ``None`` when the first dimension cannot be evaluated.

        Examples
        --------
        >>> relative = Dimension("relative", "k_industry", (
        ...     Band("1", 1, None, 1.2, "高", "high"), Band("2", 2, 1.2, None, "低", "low")))
        >>> trend = Dimension("trend", "intensity_change", (
        ...     Band("1", 1, None, 1.0, "降", "down"), Band("2", 2, 1.0, None, "升", "up")))
        >>> scheme = GradingScheme("demo", "1", "示例", "demo", (relative, trend), None, "UNVERIFIED")
        >>> scheme.grade_for({"k_industry": 0.9, "intensity_change": 1.1}).code
        '2'
        >>> scheme.grade_for({"k_industry": 0.9}).code
        '1'

        """
        bands = [d.band_for(metrics.get(d.metric)) for d in self.grade_dimensions]
        if bands[0] is None:
            return None
        return max((band for band in bands if band is not None), key=lambda band: band.rank)


def _check_bands(scheme: str, dimension: Dimension) -> None:
    bands = dimension.bands
    ids = {"scheme": scheme, "dimension": dimension.name}
    if [b.rank for b in bands] != list(range(1, len(bands) + 1)) or len(bands) > MAX_RANKS:
        raise ReferenceDataError(MSG_RANKS, **ids)
    if bands[0].lower_exclusive is not None or bands[-1].upper_inclusive is not None:
        raise ReferenceDataError(MSG_BANDS_OPEN, **ids)
    for previous, band in itertools.pairwise(bands):
        if band.lower_exclusive is None or band.lower_exclusive != previous.upper_inclusive:
            raise ReferenceDataError(MSG_BANDS_GAP, band=band.code, **ids)
