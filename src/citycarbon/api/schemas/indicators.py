"""Schemas of the synergy-index endpoints: rankings, one entity's tree, the definition."""

from __future__ import annotations

from typing import Any, Literal

from citycarbon.api.schemas.common import Schema

PublishedLevel = Literal["county", "city"]


class DimensionOut(Schema):
    """A dimension of the index (a child of its root)."""

    code: str
    name_zh: str
    name_en: str


class RankedEntityOut(Schema):
    """One entity's overall score [0–100] and rank (1 = best), with its dimension scores."""

    code: str
    name: str
    score: float | None
    rank: int | None
    dimensions: dict[str, float | None]


class RankingOut(Schema):
    """Entities of one level and quarter, best first."""

    definition: str
    period: str
    level: str
    periods: list[str]
    dimensions: list[DimensionOut]
    entities: list[RankedEntityOut]

    @classmethod
    def build(cls, ranking: Any) -> RankingOut:
        """From :class:`citycarbon.services.synergy_index.Ranking`."""
        dims = [DimensionOut(code=c, name_zh=zh, name_en=en) for c, zh, en in ranking.dimensions]
        return cls(
            definition=ranking.definition,
            period=ranking.period,
            level=ranking.level,
            periods=ranking.periods,
            dimensions=dims,
            entities=[RankedEntityOut.model_validate(e) for e in ranking.entities],
        )


class NodeScoreOut(Schema):
    """One node of an entity's tree: raw value (indicators), score, rank and missing-data rule."""

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


class EntityDetailOut(Schema):
    """An entity's scores over the whole tree."""

    definition: str
    period: str
    level: str
    code: str
    name: str
    entity_count: int
    nodes: list[NodeScoreOut]


class DefinitionOut(Schema):
    """The index definition: nodes with formulas, units, directions, weights and sources."""

    code: str
    version: str
    name_zh: str
    name_en: str
    scale: float
    counts_by_depth: dict[str, int]
    nodes: list[dict[str, Any]]
