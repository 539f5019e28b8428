"""Synergy index: the definition, published district/city rankings, park and enterprise scores.

District and city results are published aggregates (``aggregate:read``, the public too); park
results and enterprise scores need ``index:read`` and, for an enterprise, the organisation
scope (the enterprise itself, analysts of its region, administrators; outside reads audited).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from citycarbon.api.deps import AggregateReader, DatabaseUrl, ObjectId, ReferenceReader, allow
from citycarbon.api.schemas.common import COMMON_PROBLEMS, problem_responses
from citycarbon.api.schemas.indicators import DefinitionOut, EntityDetailOut, PublishedLevel, RankingOut
from citycarbon.domain.access.roles import Permission
from citycarbon.services import synergy_index
from citycarbon.services.caller import Caller

router = APIRouter(
    prefix="/index", tags=["synergy index"], responses=problem_responses(*COMMON_PROBLEMS, 404)
)
IndexReader = Annotated[Caller, allow(Permission.INDEX_READ)]
QuarterCode = Annotated[
    str | None, Query(pattern=r"^\d{4}-Q[1-4]$", description="Quarter, e.g. 2024-Q4 (default: latest)")
]
RegionCode = Annotated[str, Path(pattern=r"^\d{6}$", description="GB/T 2260 region code")]
ParkCode = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{1,32}$", description="Park code")]


@router.get("/definition", response_model=DefinitionOut)
def get_definition(_: ReferenceReader) -> DefinitionOut:
    """The shipped synergy-index definition with every indicator's formula, weight and source."""
    return DefinitionOut.model_validate(synergy_index.definition_view())


@router.get("/regions", response_model=RankingOut)
def list_region_scores(
    _: AggregateReader, url: DatabaseUrl, level: PublishedLevel = "county", period: QuarterCode = None
) -> RankingOut:
    """Published ranking of districts (``county``) or cities for a quarter, with dimension scores."""
    return RankingOut.build(synergy_index.ranking(url, level, period))


@router.get("/regions/{region_code}", response_model=EntityDetailOut)
def get_region_scores(
    region_code: RegionCode,
    _: AggregateReader,
    url: DatabaseUrl,
    level: PublishedLevel = "county",
    period: QuarterCode = None,
) -> EntityDetailOut:
    """A district's (or city's) scores over the whole tree: drill-down from the ranking."""
    return EntityDetailOut.model_validate(synergy_index.entity_detail(url, level, region_code, period))


@router.get("/parks", response_model=RankingOut)
def list_park_scores(_: IndexReader, url: DatabaseUrl, period: QuarterCode = None) -> RankingOut:
    """Ranking of industrial parks for a quarter."""
    return RankingOut.build(synergy_index.ranking(url, "park", period))


@router.get("/parks/{park_code}", response_model=EntityDetailOut)
def get_park_scores(
    park_code: ParkCode, _: IndexReader, url: DatabaseUrl, period: QuarterCode = None
) -> EntityDetailOut:
    """A park's scores over the whole tree."""
    return EntityDetailOut.model_validate(synergy_index.entity_detail(url, "park", park_code, period))


@router.get("/organisations/{organisation_id}", response_model=EntityDetailOut)
def get_organisation_scores(
    organisation_id: ObjectId, caller: IndexReader, url: DatabaseUrl, period: QuarterCode = None
) -> EntityDetailOut:
    """An enterprise's scores (the enterprise itself, analysts of its region, admins; audited)."""
    return EntityDetailOut.model_validate(
        synergy_index.organisation_detail(url, caller, organisation_id, period)
    )
