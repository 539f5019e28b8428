"""An organisation's ledger: sites, activity and production data, results with lineage."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from citycarbon.api.deps import DatabaseUrl, LedgerReader, LedgerWriter, Limit, ObjectId, Offset, PeriodCode
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.api.schemas.ledger import (
    ActivityBatchIn,
    ActivityOut,
    ProductionBatchIn,
    ProductionOut,
    ResultDetailOut,
    ResultOut,
    SiteOut,
    WriteSummaryOut,
)
from citycarbon.services import ledger_entry, ledger_queries
from citycarbon.services.ledger_queries import PeriodRange

router = APIRouter(tags=["ledger"], responses=problem_responses(*COMMON_PROBLEMS, 404, 409))
ORG = "/organisations/{organisation_id}"


@router.get(ORG + "/sites", response_model=list[SiteOut])
def list_sites(organisation_id: ObjectId, caller: LedgerReader, url: DatabaseUrl) -> list[SiteOut]:
    """Sites of the organisation."""
    return [SiteOut.model_validate(s) for s in ledger_queries.list_sites(url, caller, organisation_id)]


@router.get(ORG + "/activity", response_model=Page[ActivityOut])
def list_activity(
    organisation_id: ObjectId,
    caller: LedgerReader,
    url: DatabaseUrl,
    period_from: PeriodCode = None,
    period_to: PeriodCode = None,
    category: Annotated[str | None, Query(pattern=r"^(fuel|electricity|heat|process)$")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ActivityOut]:
    """Current activity records, by period; filter by period range and category."""
    page = ledger_queries.list_activity(
        url, caller, organisation_id, PeriodRange(period_from, period_to), category, limit, offset
    )
    return Page[ActivityOut].model_validate(page)


@router.post(ORG + "/activity", response_model=WriteSummaryOut, status_code=status.HTTP_201_CREATED)
def create_activity(
    organisation_id: ObjectId, body: ActivityBatchIn, caller: LedgerWriter, url: DatabaseUrl
) -> WriteSummaryOut:
    """Record activity data (all or none, same rules as a file import) and recalculate."""
    records = [r.model_dump() for r in body.records]
    summary = ledger_entry.record_data(
        url, caller, organisation_id, "activity", records, replace=body.replace
    )
    return WriteSummaryOut.model_validate(summary)


@router.get(ORG + "/production", response_model=Page[ProductionOut])
def list_production(
    organisation_id: ObjectId,
    caller: LedgerReader,
    url: DatabaseUrl,
    period_from: PeriodCode = None,
    period_to: PeriodCode = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ProductionOut]:
    """Current production records, by period."""
    page = ledger_queries.list_production(
        url, caller, organisation_id, PeriodRange(period_from, period_to), limit, offset
    )
    return Page[ProductionOut].model_validate(page)


@router.post(ORG + "/production", response_model=WriteSummaryOut, status_code=status.HTTP_201_CREATED)
def create_production(
    organisation_id: ObjectId, body: ProductionBatchIn, caller: LedgerWriter, url: DatabaseUrl
) -> WriteSummaryOut:
    """Record production data (output, value added, product output), all or none."""
    records = [r.model_dump() for r in body.records]
    summary = ledger_entry.record_data(
        url, caller, organisation_id, "production", records, replace=body.replace
    )
    return WriteSummaryOut.model_validate(summary)


@router.get(ORG + "/results", response_model=Page[ResultOut])
def list_results(
    organisation_id: ObjectId,
    caller: LedgerReader,
    url: DatabaseUrl,
    period_from: PeriodCode = None,
    period_to: PeriodCode = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ResultOut]:
    """Current results (totals by period); ``GET /results/{result_id}`` gives the lineage."""
    page = ledger_queries.list_results(
        url, caller, organisation_id, PeriodRange(period_from, period_to), limit, offset
    )
    return Page[ResultOut].model_validate(page)


@router.get("/results/{result_id}", response_model=ResultDetailOut)
def get_result(result_id: ObjectId, caller: LedgerReader, url: DatabaseUrl) -> ResultDetailOut:
    """One result with every line's factor values, factor-set versions and sources."""
    return ResultDetailOut.model_validate(ledger_queries.result_lineage(url, caller, result_id))
