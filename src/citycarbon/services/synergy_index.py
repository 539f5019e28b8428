"""Read stored index results for the views: rankings, one entity's tree, the definition.

District, city and park results are published aggregates (any caller). Enterprise scores are
one enterprise's data: they pass the organisation-scope check of
:func:`citycarbon.services.scope.readable`, which audits reads from outside the enterprise.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.indicators.definition import Aggregate, Indicator, IndicatorTree
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.refdata.indicators import load_synergy_index
from citycarbon.services import scope
from citycarbon.services.caller import Caller
from citycarbon.services.parks import park_names
from citycarbon.services.platform_errors import NotFound
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.indicator_tables import IndicatorRun, IndicatorScore, IndicatorWeight
from citycarbon.store.tables import Organisation

MSG_NO_INDEX_RUN = "No {level} index has been evaluated for {period}"
MSG_NO_INDEX_ENTITY = "The {level} index of {period} has no entity {code}"


@dataclass(frozen=True)
class RankedEntity:
    """One entity's overall score and rank, with its dimension scores."""

    code: str
    name: str
    score: float | None
    rank: int | None
    dimensions: dict[str, float | None]


@dataclass(frozen=True)
class Ranking:
    """Entities of one level and quarter, best first."""

    definition: str
    period: str
    level: str
    periods: list[str]
    dimensions: list[tuple[str, str, str]]
    entities: list[RankedEntity]


@dataclass(frozen=True)
class NodeScore:
    """One node of one entity's tree."""

    node_id: str
    parent_id: str | None
    depth: int
    name_zh: str
    name_en: str
    unit: str | None
    weight: float | None
    raw_value: float | None
    score: float | None
    rank: int | None
    missing_rule: str | None
    source: str | None


@dataclass(frozen=True)
class EntityDetail:
    """An entity's scores over the whole tree (definition order)."""

    definition: str
    period: str
    level: str
    code: str
    name: str
    entity_count: int
    nodes: list[NodeScore]


def _names(session: Session, level: str, codes: list[str]) -> dict[str, str]:
    if level in ("county", "city", "province"):
        catalogue = load_region_catalogue()
        return {code: (region.name if (region := catalogue.get(code)) else code) for code in codes}
    if level == "park":
        return park_names(session)
    ids = [int(code) for code in codes if code.isdigit()]
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids)))
    return {str(i): name for i, name in rows}


def _periods(session: Session, code: str, level: str) -> list[str]:
    query = (
        select(IndicatorRun.period_code)
        .where(
            IndicatorRun.definition_code == code,
            IndicatorRun.entity_level == level,
            IndicatorRun.superseded_at.is_(None),
        )
        .order_by(IndicatorRun.period_code.desc())
    )
    return [str(p) for p in session.execute(query).scalars()]


def _run(session: Session, tree: IndicatorTree, period: str | None, level: str) -> IndicatorRun:
    periods = _periods(session, tree.code, level)
    chosen = period or (periods[0] if periods else None)
    run = None
    if chosen is not None:
        run = session.execute(
            select(IndicatorRun).where(
                IndicatorRun.definition_code == tree.code,
                IndicatorRun.period_code == chosen,
                IndicatorRun.entity_level == level,
                IndicatorRun.superseded_at.is_(None),
            )
        ).scalar_one_or_none()
    if run is None:
        raise NotFound(MSG_NO_INDEX_RUN, level=level, period=chosen or "—")
    return run


def ranking(
    url: str, level: str = "county", period: str | None = None, tree: IndicatorTree | None = None
) -> Ranking:
    """Overall scores and dimension scores of every entity of ``level`` (latest quarter by default)."""
    definition = tree or load_synergy_index()
    root = definition.nodes[definition.root]
    assert isinstance(root, Aggregate)
    upgrade_database(url)
    with unit_of_work(url) as session:
        run = _run(session, definition, period, level)
        wanted = [definition.root, *root.children]
        rows = session.execute(
            select(
                IndicatorScore.entity_code, IndicatorScore.node_id, IndicatorScore.score, IndicatorScore.rank
            ).where(IndicatorScore.run_id == run.id, IndicatorScore.node_id.in_(wanted))
        ).all()
        by_entity: dict[str, dict[str, Any]] = {}
        for code, node, score, rank in rows:
            entry = by_entity.setdefault(code, {"dims": {}})
            if node == definition.root:
                entry["score"], entry["rank"] = score, rank
            else:
                entry["dims"][node] = score
        names = _names(session, level, list(by_entity))
        periods = _periods(session, definition.code, level)
    entities = [
        RankedEntity(code, names.get(code, code), e.get("score"), e.get("rank"), e["dims"])
        for code, e in by_entity.items()
    ]
    entities.sort(key=lambda e: (e.rank is None, e.rank or 0, e.code))
    dims = [(c, definition.nodes[c].name_zh, definition.nodes[c].name_en) for c in root.children]
    return Ranking(definition.key, run.period_code, level, periods, dims, entities)


def entity_detail(
    url: str, level: str, code: str, period: str | None = None, tree: IndicatorTree | None = None
) -> EntityDetail:
    """Every node's score, rank, raw value and missing-data rule for one entity."""
    definition = tree or load_synergy_index()
    upgrade_database(url)
    with unit_of_work(url) as session:
        return _detail(session, definition, level, code, period)


def _detail(
    session: Session, definition: IndicatorTree, level: str, code: str, period: str | None
) -> EntityDetail:
    run = _run(session, definition, period, level)
    rows = session.execute(
        select(IndicatorScore).where(IndicatorScore.run_id == run.id, IndicatorScore.entity_code == code)
    ).scalars()
    by_node = {row.node_id: row for row in rows}
    if not by_node:
        raise NotFound(MSG_NO_INDEX_ENTITY, level=level, period=run.period_code, code=code)
    weights = dict(
        session.execute(
            select(IndicatorWeight.node_id, IndicatorWeight.weight).where(IndicatorWeight.run_id == run.id)
        ).all()
    )
    nodes = []
    for node_id, node in definition.nodes.items():
        row = by_node.get(node_id)
        nodes.append(
            NodeScore(
                node_id,
                node.parent,
                node.depth,
                node.name_zh,
                node.name_en,
                node.unit if isinstance(node, Indicator) else None,
                weights.get(node_id),
                row.raw_value if row else None,
                row.score if row else None,
                row.rank if row else None,
                row.missing_rule if row else None,
                node.source,
            )
        )
    name = _names(session, level, [code]).get(code, code)
    return EntityDetail(definition.key, run.period_code, level, code, name, run.entity_count, nodes)


def organisation_detail(
    url: str, caller: Caller, organisation_id: int, period: str | None = None
) -> EntityDetail:
    """An enterprise's scores, for the enterprise itself, analysts of its region and admins (audited)."""
    definition = load_synergy_index()
    upgrade_database(url)
    with unit_of_work(url) as session:
        scope.readable(session, caller, organisation_id, resource="indicator_score", purpose="synergy index")
        return _detail(session, definition, "enterprise", str(organisation_id), period)


def definition_view(tree: IndicatorTree | None = None) -> dict[str, Any]:
    """The definition as plain data: nodes with formula, unit, direction, weights and sources."""
    definition = tree or load_synergy_index()
    nodes = []
    for node in definition.nodes.values():
        item: dict[str, Any] = {
            "id": node.id,
            "parent": node.parent,
            "depth": node.depth,
            "name_zh": node.name_zh,
            "name_en": node.name_en,
            "source": node.source,
            "status": node.status,
        }
        if isinstance(node, Indicator):
            item |= {
                "formula": node.formula.text,
                "unit": node.unit,
                "direction": node.direction,
                "normalisation": node.normalisation,
                "target": node.target,
                "missing": node.missing,
            }
        else:
            item |= {
                "weighting": node.weighting,
                "aggregation": node.aggregation,
                "child_weights": dict(zip(node.children, node.weights, strict=True))
                if node.weights
                else None,
                "consistency_ratio": node.ahp.consistency_ratio if node.ahp else None,
            }
        nodes.append(item)
    return {
        "code": definition.code,
        "version": definition.version,
        "name_zh": definition.name_zh,
        "name_en": definition.name_en,
        "scale": definition.scale,
        "counts_by_depth": {str(k): v for k, v in definition.count_by_depth().items()},
        "nodes": nodes,
    }
