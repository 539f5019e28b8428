"""Carbon-efficiency results, read-only: rated periods, a firm's grade and ranks, rankings, lists.

Every endpoint needs ``efficiency:read`` (analysts, enterprises, administrators); the services
decide whose rows the caller sees (:mod:`citycarbon.services.efficiency_queries`): an
enterprise its own, an analyst the firms of its regions, an administrator all, outside reads
audited. Roll-ups are for administrators and analysts only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request

from citycarbon.api.deps import DatabaseUrl, Limit, ObjectId, Offset, PeriodCode, allow
from citycarbon.api.schemas.common import COMMON_PROBLEMS, problem_responses
from citycarbon.api.schemas.efficiency import (
    OrganisationGradeOut,
    RankingOut,
    RatedPeriodOut,
    RollupDimension,
    RollupLevel,
    RollupsOut,
    WatchlistOut,
)
from citycarbon.domain.access.roles import Permission
from citycarbon.services import efficiency_queries
from citycarbon.services.caller import Caller

router = APIRouter(
    prefix="/efficiency", tags=["carbon efficiency"], responses=problem_responses(*COMMON_PROBLEMS, 404)
)
EfficiencyReader = Annotated[Caller, allow(Permission.EFFICIENCY_READ)]
SchemeCode = Annotated[
    str | None,
    Query(pattern=r"^[a-z][a-z0-9_]{0,31}$", description="Grading scheme: huzhou (default), quzhou"),
]
IndustryCode = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z]?\d{2,4}$", description="Benchmark industry (GB/T 4754), e.g. C3411"),
]
CountyCode = Annotated[str | None, Query(pattern=r"^\d{6}$", description="County (GB/T 2260), e.g. 331002")]


@router.get("/periods", response_model=list[RatedPeriodOut])
def list_rated_periods(_: EfficiencyReader, url: DatabaseUrl) -> list[RatedPeriodOut]:
    """Periods and schemes with a current rating, newest first, with counts of rated firms.

    Elsewhere ``period`` defaults to the latest rated year and ``scheme`` to ``huzhou``.
    """
    return [RatedPeriodOut.model_validate(p) for p in efficiency_queries.rated_periods(url)]


@router.get("/organisations/{organisation_id}", response_model=OrganisationGradeOut)
def get_organisation_grade(
    request: Request,
    organisation_id: ObjectId,
    caller: EfficiencyReader,
    url: DatabaseUrl,
    period: PeriodCode = None,
    scheme: SchemeCode = None,
) -> OrganisationGradeOut:
    """A firm's intensities, benchmark, K, grade and ranks (itself, analysts of its region, admins)."""
    rating = efficiency_queries.organisation_rating(
        url, caller, organisation_id, period, scheme, request.headers.get("accept-language")
    )
    return OrganisationGradeOut.build(rating)


@router.get("/rankings", response_model=RankingOut)
def get_ranking(
    caller: EfficiencyReader,
    url: DatabaseUrl,
    period: PeriodCode = None,
    industry: IndustryCode = None,
    county: CountyCode = None,
    scheme: SchemeCode = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RankingOut:
    """Firms of one benchmark industry or one county by K (give exactly one), within scope."""
    page = efficiency_queries.ranking(
        url,
        caller,
        period=period,
        industry=industry,
        county=county,
        scheme=scheme,
        limit=limit,
        offset=offset,
    )
    return RankingOut.model_validate(page)


@router.get("/watchlist", response_model=WatchlistOut)
def get_watchlist(
    caller: EfficiencyReader,
    url: DatabaseUrl,
    period: PeriodCode = None,
    scheme: SchemeCode = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> WatchlistOut:
    """Watch-list entries of the firms within the caller's scope, by rule and credit code."""
    page = efficiency_queries.watchlist(url, caller, period=period, scheme=scheme, limit=limit, offset=offset)
    return WatchlistOut.model_validate(page)


@router.get("/rollups", response_model=RollupsOut)
def get_rollups(
    caller: EfficiencyReader,
    url: DatabaseUrl,
    period: PeriodCode = None,
    scheme: SchemeCode = None,
    dimension: RollupDimension = "region",
    level: Annotated[RollupLevel | None, Query(description="Default: county or class")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> RollupsOut:
    """Totals and grade counts by region or industry level (administrators and analysts)."""
    page = efficiency_queries.rollups(
        url,
        caller,
        period=period,
        scheme=scheme,
        dimension=dimension,
        level=level,
        limit=limit,
        offset=offset,
    )
    return RollupsOut.model_validate(page)
