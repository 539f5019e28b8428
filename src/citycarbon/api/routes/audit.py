"""The audit log: enterprises list who looked at their data; administrators see everything."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citycarbon.api.deps import MAX_ID, AuditReader, DatabaseUrl, Limit, Offset
from citycarbon.api.schemas.audit import AuditEventOut
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.services import audit

router = APIRouter(tags=["audit"], responses=problem_responses(*COMMON_PROBLEMS))


@router.get("/audit-events", response_model=Page[AuditEventOut])
def list_audit_events(
    caller: AuditReader,
    url: DatabaseUrl,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[AuditEventOut]:
    """Events about an organisation's data, newest first (enterprises: their own organisation only)."""
    return Page[AuditEventOut].model_validate(audit.list_events(url, caller, organisation_id, limit, offset))
