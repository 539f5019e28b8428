"""Indicator definitions as data: the schema of a definition file and its validated tree.

A definition is a flat list of nodes, each naming its ``parent``; the one node without a parent
is the index itself, nodes with children are aggregates and nodes without children are
indicators with a formula. A flat list (rather than nesting) keeps the YAML and the shipped CSV
alike, and lets a broken file say exactly which node is wrong — a cycle, a duplicate id or a
dangling parent can only be written, and therefore reported, this way.

Every problem found is collected (not just the first) and raised together as
:class:`IndicatorDefinitionInvalid`, each :class:`~citycarbon.domain.errors.Problem` carrying
its location (``nodes[4] A111.weight``) in ``column``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.domain.indicators.expressions import Formula, FormulaError, parse_formula
from citycarbon.domain.indicators.weights import (
    MAX_CONSISTENCY_RATIO,
    AhpResult,
    ahp_weights,
    equal_weights,
    matrix_shape_problem,
    parse_ratio,
    weights_sum_to_one,
)

Direction = Literal["higher_is_better", "lower_is_better"]
Normalisation = Literal["min_max", "z_score", "distance_to_target"]
Weighting = Literal["equal", "expert", "ahp", "entropy"]
Aggregation = Literal["arithmetic", "geometric"]
MissingRule = Literal["exclude", "worst", "carry_last", "region_median"]

MSG_DEFINITION_INVALID = "Indicator definition {definition} has {count} problem(s); nothing was evaluated"
SCHEMA_PROBLEM = "{detail}"  # pydantic's own (English) message, shown as it is
MSG_DUPLICATE_ID = "Node id '{node}' is used more than once (first at nodes[{first}])"
MSG_UNKNOWN_PARENT = "Node '{node}' names parent '{parent}', which is not defined"
MSG_CYCLE = "Nodes form a cycle: {path}"
MSG_ROOTS = "A definition needs exactly one node without a parent (the index); found {count}: {roots}"
MSG_LEAF_WITHOUT_FORMULA = "Node '{node}' has no children, so it needs a formula"
MSG_INNER_WITH_FORMULA = "Node '{node}' has children, so it cannot have a formula"
MSG_LEAF_FIELDS = "Indicator '{node}' needs {missing}"
MSG_INNER_LEAF_SETTING = "Node '{node}' has children; '{setting}' applies to indicators only"
MSG_FORMULA = "Indicator '{node}': {detail}"
MSG_UNKNOWN_FIELD = "Indicator '{node}' uses unknown data field '{field}'"
MSG_EXPERT_WEIGHT_MISSING = (
    "Node '{node}' weights its children by expert weights, but '{child}' has no weight"
)
MSG_EXPERT_WEIGHT_SUM = "Expert weights of the children of '{node}' sum to {total}, not 1"
MSG_AHP_MISSING = "Node '{node}' uses AHP weights but gives no pairwise matrix"
MSG_AHP_ORDER = "AHP matrix of '{node}' must list each child exactly once; children: {children}"
MSG_AHP_ENTRY = "AHP matrix of '{node}': entry '{value}' is not a number or a fraction"
MSG_AHP_MATRIX = "AHP matrix of '{node}' is not a positive reciprocal square matrix: {detail}"
MSG_AHP_SIZE = "AHP matrix of '{node}' has {size} rows; the random index table covers 1 to {largest}"
MSG_AHP_INCONSISTENT = (
    "AHP matrix of '{node}' is inconsistent: CR = {ratio} (CI = {index}, RI = {random_index}); "
    "it must be below {limit}"
)
MSG_AHP_UNUSED = "Node '{node}' gives an AHP matrix but weights its children by '{weighting}'"
MSG_TARGET_REQUIRED = "Indicator '{node}' is normalised by distance to target and needs a non-zero target"
MSG_UNBOUNDED = (
    "Node '{node}' uses {method}, which needs non-negative values, but indicator '{leaf}' below "
    "it is normalised by z-score"
)


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class AhpSpec(_Spec):
    """Pairwise comparison matrix of a node's children, in the order given by ``order``."""

    order: list[str]
    matrix: list[list[float | str]]


class NodeSpec(_Spec):
    """One node as written in a definition file."""

    id: str = Field(pattern=r"^[A-Za-z][A-Za-z0-9_.\-]{0,39}$")
    parent: str | None = None
    name_zh: str = Field(min_length=1)
    name_en: str = Field(min_length=1)
    weight: float | None = Field(default=None, ge=0, le=1)
    weighting: Weighting | None = None
    aggregation: Aggregation | None = None
    ahp: AhpSpec | None = None
    formula: str | None = None
    unit: str | None = None
    direction: Direction | None = None
    normalisation: Normalisation | None = None
    target: float | None = None
    missing: MissingRule | None = None
    source: str | None = None
    status: str | None = None
    note: str | None = None


class DefinitionSpec(_Spec):
    """A whole definition file: identity, scale of the scores and the flat list of nodes."""

    code: str = Field(pattern=r"^[a-z][a-z0-9_]{0,31}$")
    version: str = Field(min_length=1, max_length=32)
    name_zh: str
    name_en: str
    scale: float = Field(default=100.0, gt=0)
    source: str | None = None
    level_names: list[str] = Field(default_factory=list)
    nodes: list[NodeSpec] = Field(min_length=1)


@dataclass(frozen=True, slots=True)
class Indicator:
    """A leaf: an indicator computed from data fields by its formula."""

    id: str
    parent: str
    depth: int
    name_zh: str
    name_en: str
    formula: Formula
    unit: str
    direction: Direction
    normalisation: Normalisation
    target: float | None
    missing: MissingRule
    weight: float | None
    source: str | None
    status: str | None


@dataclass(frozen=True, slots=True)
class Aggregate:
    """An inner node: its children (in order), how they are weighted and aggregated."""

    id: str
    parent: str | None
    depth: int
    name_zh: str
    name_en: str
    children: tuple[str, ...]
    weighting: Weighting
    aggregation: Aggregation
    #: Fixed weights of the children (equal, expert, AHP); ``None`` for entropy (data-driven).
    weights: tuple[float, ...] | None
    ahp: AhpResult | None
    weight: float | None
    source: str | None
    status: str | None


Node = Indicator | Aggregate


@dataclass(frozen=True)
class IndicatorTree:
    """A validated definition, ready for evaluation.

    ``nodes`` keeps the definition's order; :meth:`bottom_up` lists the aggregates deepest
    first, the order an engine computes them in.
    """

    code: str
    version: str
    name_zh: str
    name_en: str
    scale: float
    root: str
    nodes: Mapping[str, Node]
    level_names: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """``code@version``, recorded with every evaluation."""
        return f"{self.code}@{self.version}"

    def indicators(self) -> list[Indicator]:
        """Leaves in definition order."""
        return [node for node in self.nodes.values() if isinstance(node, Indicator)]

    def bottom_up(self) -> list[Aggregate]:
        """Aggregates, deepest first (a node after all of its children)."""
        inner = [node for node in self.nodes.values() if isinstance(node, Aggregate)]
        return sorted(inner, key=lambda node: -node.depth)

    def count_by_depth(self) -> dict[int, int]:
        """Number of nodes at each depth (0 is the index itself)."""
        counts: dict[int, int] = {}
        for node in self.nodes.values():
            counts[node.depth] = counts.get(node.depth, 0) + 1
        return dict(sorted(counts.items()))


class IndicatorDefinitionInvalid(ValidationFailed):
    """A definition with one or more problems, each with its location."""

    def __init__(self, definition: str, problems: Iterable[Problem]) -> None:
        super().__init__(problems)
        self.message = MSG_DEFINITION_INVALID
        self.params = {"definition": definition, "count": len(self.problems)}
        self.args = (MSG_DEFINITION_INVALID.format(**self.params),)


def _where(index: int, node_id: str, attribute: str | None = None) -> str:
    return f"nodes[{index}] {node_id}" + (f".{attribute}" if attribute else "")


def _schema_problems(error: ValidationError, raw: Mapping[str, Any]) -> list[Problem]:
    problems = []
    nodes = raw.get("nodes") if isinstance(raw, Mapping) else None
    for item in error.errors():
        loc = list(item["loc"])
        where = ".".join(str(part) for part in loc)
        if len(loc) >= 2 and loc[0] == "nodes" and isinstance(loc[1], int):
            node_id = "?"
            if isinstance(nodes, list) and loc[1] < len(nodes) and isinstance(nodes[loc[1]], Mapping):
                node_id = str(nodes[loc[1]].get("id", "?"))
            where = _where(loc[1], node_id, ".".join(str(part) for part in loc[2:]) or None)
        problems.append(Problem(SCHEMA_PROBLEM, column=where, params={"detail": item["msg"]}))
    return problems


def _depths(
    specs: Sequence[NodeSpec], index_of: Mapping[str, int], problems: list[Problem]
) -> dict[str, int]:
    """Depth of every node reachable from a root; reports cycles (once per cycle)."""
    depths: dict[str, int] = {}
    reported: set[str] = set()
    for spec in specs:
        path: list[str] = []
        current: str | None = spec.id
        while current is not None and current not in depths and current in index_of:
            if current in path:
                cycle = [*path[path.index(current) :], current]
                if not reported & set(cycle):
                    problems.append(
                        Problem(
                            MSG_CYCLE,
                            column=_where(index_of[current], current, "parent"),
                            params={"path": " → ".join(cycle)},
                        )
                    )
                    reported |= set(cycle)
                break
            path.append(current)
            current = specs[index_of[current]].parent
        else:
            base = -1 if current is None else depths.get(current, -1_000_000)
            for offset, node_id in enumerate(reversed(path), start=1):
                depths[node_id] = base + offset
    return {node: depth for node, depth in depths.items() if depth >= 0}


def _check_leaf(
    spec: NodeSpec, index: int, fields: Collection[str], problems: list[Problem]
) -> Formula | None:
    missing = [
        name for name in ("unit", "direction", "normalisation", "missing") if getattr(spec, name) is None
    ]
    if missing:
        problems.append(
            Problem(
                MSG_LEAF_FIELDS,
                column=_where(index, spec.id),
                params={"node": spec.id, "missing": ", ".join(missing)},
            )
        )
    if spec.normalisation == "distance_to_target" and not spec.target:
        problems.append(
            Problem(MSG_TARGET_REQUIRED, column=_where(index, spec.id, "target"), params={"node": spec.id})
        )
    for setting in ("weighting", "aggregation", "ahp"):
        if getattr(spec, setting) is not None:
            problems.append(
                Problem(
                    MSG_INNER_LEAF_SETTING,
                    column=_where(index, spec.id, setting),
                    params={"node": spec.id, "setting": setting},
                )
            )
    if spec.formula is None:
        problems.append(
            Problem(MSG_LEAF_WITHOUT_FORMULA, column=_where(index, spec.id), params={"node": spec.id})
        )
        return None
    try:
        formula = parse_formula(spec.formula)
    except FormulaError as error:
        problems.append(
            Problem(
                MSG_FORMULA,
                column=_where(index, spec.id, "formula"),
                params={"node": spec.id, "detail": error.render()},
            )
        )
        return None
    for name in sorted(formula.fields - set(fields)):
        problems.append(
            Problem(
                MSG_UNKNOWN_FIELD,
                column=_where(index, spec.id, "formula"),
                params={"node": spec.id, "field": name},
            )
        )
    return formula


def _ahp(
    spec: NodeSpec,
    index: int,
    children: Sequence[str],
    random_index: Mapping[int, float],
    problems: list[Problem],
) -> AhpResult | None:
    where = _where(index, spec.id, "ahp")
    if spec.ahp is None:
        problems.append(Problem(MSG_AHP_MISSING, column=where, params={"node": spec.id}))
        return None
    if sorted(spec.ahp.order) != sorted(children) or len(set(spec.ahp.order)) != len(spec.ahp.order):
        problems.append(
            Problem(MSG_AHP_ORDER, column=where, params={"node": spec.id, "children": ", ".join(children)})
        )
        return None
    matrix: list[list[float]] = []
    for row in spec.ahp.matrix:
        values = []
        for value in row:
            try:
                values.append(parse_ratio(value))
            except (ValueError, ZeroDivisionError):
                problems.append(
                    Problem(MSG_AHP_ENTRY, column=where, params={"node": spec.id, "value": value})
                )
                return None
        matrix.append(values)
    shape = matrix_shape_problem(matrix)
    if shape is None and len(matrix) != len(children):
        shape = f"{len(matrix)} rows for {len(children)} children"
    if shape is not None:
        problems.append(Problem(MSG_AHP_MATRIX, column=where, params={"node": spec.id, "detail": shape}))
        return None
    if len(matrix) not in random_index:
        problems.append(
            Problem(
                MSG_AHP_SIZE,
                column=where,
                params={"node": spec.id, "size": len(matrix), "largest": max(random_index)},
            )
        )
        return None
    result = ahp_weights(matrix, random_index)
    if result.consistency_ratio >= MAX_CONSISTENCY_RATIO:
        problems.append(
            Problem(
                MSG_AHP_INCONSISTENT,
                column=where,
                params={
                    "node": spec.id,
                    "ratio": f"{result.consistency_ratio:.3f}",
                    "index": f"{result.consistency_index:.3f}",
                    "random_index": f"{result.random_index:.2f}",
                    "limit": MAX_CONSISTENCY_RATIO,
                },
            )
        )
        return None
    # Reorder the priorities from the matrix's order to the children's order.
    by_id = dict(zip(spec.ahp.order, result.weights, strict=True))
    return AhpResult(
        tuple(by_id[child] for child in children),
        result.lambda_max,
        result.consistency_index,
        result.random_index,
        result.consistency_ratio,
    )


def _child_weights(
    spec: NodeSpec,
    index: int,
    children: Sequence[str],
    specs_by_id: Mapping[str, NodeSpec],
    random_index: Mapping[int, float],
    problems: list[Problem],
) -> tuple[tuple[float, ...] | None, AhpResult | None]:
    weighting = spec.weighting or "equal"
    if spec.ahp is not None and weighting != "ahp":
        problems.append(
            Problem(
                MSG_AHP_UNUSED,
                column=_where(index, spec.id, "ahp"),
                params={"node": spec.id, "weighting": weighting},
            )
        )
    if weighting == "equal":
        return equal_weights(len(children)), None
    if weighting == "entropy":
        return None, None
    if weighting == "ahp":
        result = _ahp(spec, index, children, random_index, problems)
        return (result.weights if result else None), result
    weights = []
    for child in children:
        value = specs_by_id[child].weight
        if value is None:
            problems.append(
                Problem(
                    MSG_EXPERT_WEIGHT_MISSING,
                    column=_where(index, spec.id, "weighting"),
                    params={"node": spec.id, "child": child},
                )
            )
            return None, None
        weights.append(value)
    if not weights_sum_to_one(weights):
        problems.append(
            Problem(
                MSG_EXPERT_WEIGHT_SUM,
                column=_where(index, spec.id, "weighting"),
                params={"node": spec.id, "total": f"{sum(weights):.6g}"},
            )
        )
        return None, None
    return tuple(weights), None


def _z_scored_leaves(
    node_id: str, children: Mapping[str, list[str]], specs_by_id: Mapping[str, NodeSpec]
) -> list[str]:
    found, pending = [], list(children.get(node_id, []))
    while pending:
        current = pending.pop(0)
        if children.get(current):
            pending.extend(children[current])
        elif specs_by_id[current].normalisation == "z_score":
            found.append(current)
    return found


def build_tree(
    raw: Mapping[str, Any], *, fields: Collection[str], random_index: Mapping[int, float]
) -> IndicatorTree:
    """Validate a parsed definition (from YAML or CSV) and build its :class:`IndicatorTree`.

    Parameters
    ----------
    raw
        The definition as plain data (``code``, ``version``, names, ``nodes`` …).
    fields
        Names of the data fields formulas may use.
    random_index
        Saaty's random index by matrix size, from the reference data.

    Raises
    ------
    IndicatorDefinitionInvalid
        With every problem found and where it is.

    """
    name = str(raw.get("code", "?")) if isinstance(raw, Mapping) else "?"
    try:
        definition = DefinitionSpec.model_validate(raw)
    except ValidationError as error:
        raise IndicatorDefinitionInvalid(name, _schema_problems(error, raw)) from None
    problems: list[Problem] = []
    specs = definition.nodes
    index_of: dict[str, int] = {}
    for index, spec in enumerate(specs):
        if spec.id in index_of:
            problems.append(
                Problem(
                    MSG_DUPLICATE_ID,
                    column=_where(index, spec.id, "id"),
                    params={"node": spec.id, "first": index_of[spec.id]},
                )
            )
        else:
            index_of[spec.id] = index
    if problems:
        raise IndicatorDefinitionInvalid(definition.code, problems)
    children: dict[str, list[str]] = {}
    for index, spec in enumerate(specs):
        if spec.parent is not None and spec.parent not in index_of:
            problems.append(
                Problem(
                    MSG_UNKNOWN_PARENT,
                    column=_where(index, spec.id, "parent"),
                    params={"node": spec.id, "parent": spec.parent},
                )
            )
        elif spec.parent is not None:
            children.setdefault(spec.parent, []).append(spec.id)
    roots = [spec.id for spec in specs if spec.parent is None]
    if len(roots) != 1:
        problems.append(
            Problem(MSG_ROOTS, column="nodes", params={"count": len(roots), "roots": ", ".join(roots) or "—"})
        )
    depths = _depths(specs, index_of, problems)
    if problems:
        raise IndicatorDefinitionInvalid(definition.code, problems)
    specs_by_id = {spec.id: spec for spec in specs}
    nodes: dict[str, Node] = {}
    for index, spec in enumerate(specs):
        kids = children.get(spec.id, [])
        if not kids:
            formula = _check_leaf(spec, index, fields, problems)
            if formula is not None and spec.parent is not None:
                nodes[spec.id] = Indicator(
                    spec.id,
                    spec.parent,
                    depths[spec.id],
                    spec.name_zh,
                    spec.name_en,
                    formula,
                    spec.unit or "",
                    spec.direction or "higher_is_better",
                    spec.normalisation or "min_max",
                    spec.target,
                    spec.missing or "exclude",
                    spec.weight,
                    spec.source,
                    spec.status,
                )
            continue
        if spec.formula is not None:
            problems.append(
                Problem(
                    MSG_INNER_WITH_FORMULA, column=_where(index, spec.id, "formula"), params={"node": spec.id}
                )
            )
        for setting in ("direction", "normalisation", "target", "missing"):
            if getattr(spec, setting) is not None:
                problems.append(
                    Problem(
                        MSG_INNER_LEAF_SETTING,
                        column=_where(index, spec.id, setting),
                        params={"node": spec.id, "setting": setting},
                    )
                )
        weights, ahp = _child_weights(spec, index, kids, specs_by_id, random_index, problems)
        aggregation = spec.aggregation or "arithmetic"
        for method in {aggregation, spec.weighting} & {"geometric", "entropy"}:
            for leaf in _z_scored_leaves(spec.id, children, specs_by_id)[:1]:
                problems.append(
                    Problem(
                        MSG_UNBOUNDED,
                        column=_where(index, spec.id),
                        params={"node": spec.id, "method": method, "leaf": leaf},
                    )
                )
        nodes[spec.id] = Aggregate(
            spec.id,
            spec.parent,
            depths[spec.id],
            spec.name_zh,
            spec.name_en,
            tuple(kids),
            spec.weighting or "equal",
            aggregation,
            weights,
            ahp,
            spec.weight,
            spec.source,
            spec.status,
        )
    if problems:
        raise IndicatorDefinitionInvalid(definition.code, problems)
    return IndicatorTree(
        definition.code,
        definition.version,
        definition.name_zh,
        definition.name_en,
        definition.scale,
        roots[0],
        nodes,
        tuple(definition.level_names),
    )
