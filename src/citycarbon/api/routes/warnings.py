"""Supervision warnings with their evidence, and running the rule set."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from citycarbon.api.deps import DatabaseUrl, Limit, ObjectId, Offset, PeriodCode, allow
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.api.schemas.monitoring import WarningOut, WarningRunOut
from citycarbon.domain.access.roles import Permission
from citycarbon.services import warnings_queries
from citycarbon.services.caller import Caller
from citycarbon.services.warnings import run_warnings
from citycarbon.services.warnings_queries import WarningFilter

router = APIRouter(tags=["warnings"], responses=problem_responses(*COMMON_PROBLEMS, 404))
WarningReader = Annotated[Caller, allow(Permission.WARNING_READ)]
WarningRunner = Annotated[Caller, allow(Permission.WARNING_RUN)]
Id = Annotated[int | None, Query(ge=1, le=2**53 - 1)]


@router.get("/warnings", response_model=Page[WarningOut])
def list_warnings(
    caller: WarningReader,
    url: DatabaseUrl,
    organisation_id: Id = None,
    outlet_id: Id = None,
    severity: Annotated[Literal["low", "medium", "high", "critical"] | None, Query()] = None,
    rule_id: Annotated[str | None, Query(pattern=r"^[a-z0-9_]{1,48}$")] = None,
    period: PeriodCode = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[WarningOut]:
    """Warnings of the organisations the caller may see, newest first, with their evidence."""
    where = WarningFilter(organisation_id, outlet_id, severity, rule_id, period)
    return Page[WarningOut].model_validate(warnings_queries.list_warnings(url, caller, where, limit, offset))


@router.get("/warnings/{warning_id}", response_model=WarningOut)
def get_warning(warning_id: ObjectId, caller: WarningReader, url: DatabaseUrl) -> WarningOut:
    """One warning with its evidence."""
    return WarningOut.model_validate(warnings_queries.get_warning(url, caller, warning_id))


@router.post("/warnings/runs", response_model=WarningRunOut)
def run_rules(caller: WarningRunner, url: DatabaseUrl, period: PeriodCode = None) -> WarningRunOut:
    """Run every warning rule for a period (default: the quarter of the newest reading)."""
    return WarningRunOut.model_validate(run_warnings(url, period, trigger="api"))
