"""Rectification cases: list and read them, act on them, attach evidence, rate closures, metrics.

Route permissions say *what kind* of caller may call (``case:read``, ``case:manage`` for staff,
``case:respond`` for enterprises); the services decide *which* cases (region subtree, own
organisation) and *which* actions (the state machine's role table).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, Query, UploadFile, status
from fastapi.responses import Response

from citycarbon.api.deps import MAX_ID, DatabaseUrl, Limit, ObjectId, Offset, allow
from citycarbon.api.schemas.cases import (
    CaseDetailOut,
    CaseIn,
    CaseMetricsOut,
    CaseSummaryOut,
    CreatedOut,
    Note,
    RatingIn,
    Severity,
    TransitionIn,
    TransitionResultOut,
)
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.domain.access.roles import Permission
from citycarbon.services import case_metrics, cases, cases_queries
from citycarbon.services.caller import Caller

router = APIRouter(tags=["cases"], responses=problem_responses(*COMMON_PROBLEMS, 404, 409))

CaseReader = Annotated[Caller, allow(Permission.CASE_READ)]
CaseManager = Annotated[Caller, allow(Permission.CASE_MANAGE)]
CaseResponder = Annotated[Caller, allow(Permission.CASE_RESPOND)]


@router.get("/cases", response_model=Page[CaseSummaryOut])
def list_cases(
    caller: CaseReader,
    url: DatabaseUrl,
    state: Annotated[str | None, Query(max_length=16)] = None,
    severity: Severity | None = None,
    department: Annotated[str | None, Query(max_length=120)] = None,
    organisation_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    overdue: bool = False,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[CaseSummaryOut]:
    """Cases the caller may see (own organisation, region subtree, or all), newest first."""
    page = cases_queries.list_cases(
        url, caller, state=state, severity=severity, department=department, organisation_id=organisation_id,
        overdue_only=overdue, limit=limit, offset=offset,
    )  # fmt: skip
    return Page[CaseSummaryOut].model_validate(page)


@router.post("/cases", response_model=CreatedOut, status_code=status.HTTP_201_CREATED)
def open_case(body: CaseIn, caller: CaseManager, url: DatabaseUrl) -> CreatedOut:
    """Open a case by hand for an organisation inside the caller's region."""
    case_id = cases.open_manual_case(
        url, caller, organisation_id=body.organisation_id, severity=body.severity, title=body.title,
        department=body.department, note=body.note,
    )  # fmt: skip
    return CreatedOut(id=case_id)


@router.get("/cases/metrics", response_model=CaseMetricsOut)
def get_case_metrics(
    caller: CaseManager,
    url: DatabaseUrl,
    start: dt.date,
    end: dt.date,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$")] = None,
) -> CaseMetricsOut:
    """Handling days, on-time, reopen and satisfaction rates per district and department.

    Covers the cases opened from ``start`` up to (not including) ``end``.
    """
    result = case_metrics.case_metrics(
        url, caller, start=_midnight(start), end=_midnight(end), region_code=region_code
    )
    return CaseMetricsOut.model_validate(result)


@router.get("/cases/{case_id}", response_model=CaseDetailOut)
def get_case(case_id: ObjectId, caller: CaseReader, url: DatabaseUrl) -> CaseDetailOut:
    """One case with its timeline, evidence, ratings and the actions the caller may take."""
    return CaseDetailOut.model_validate(cases_queries.case_detail(url, caller, case_id))


@router.post("/cases/{case_id}/transitions", response_model=TransitionResultOut)
def act_on_case(
    case_id: ObjectId, body: TransitionIn, caller: CaseReader, url: DatabaseUrl
) -> TransitionResultOut:
    """Take one action; staff assign, inspect, verify, close and reopen, the enterprise submits.

    The state machine refuses an action its state or the caller's role does not allow (409 or
    403 with the exact reason). Two simultaneous actions on one case: exactly one succeeds.
    """
    result = cases.transition_case(
        url, caller, case_id, body.action, note=body.note, department=body.department,
        assignee_username=body.assignee_username, inspection_mode=body.inspection_mode,
        expected_state=body.expected_state,
    )  # fmt: skip
    return TransitionResultOut.model_validate(result)


@router.post("/cases/{case_id}/evidence", response_model=CreatedOut, status_code=status.HTTP_201_CREATED)
async def upload_evidence(
    case_id: ObjectId,
    caller: CaseReader,
    url: DatabaseUrl,
    file: Annotated[UploadFile, File(description="Photo, PDF or document proving the rectification")],
    note: Annotated[Note, Form()] = "",
) -> CreatedOut:
    """Attach an evidence file (the request body limit applies)."""
    content = await file.read()
    evidence_id = cases.attach_evidence(
        url, caller, case_id, file_name=file.filename or "evidence", content_type=file.content_type or "",
        content=content, note=note,
    )  # fmt: skip
    return CreatedOut(id=evidence_id)


@router.get("/cases/{case_id}/evidence/{evidence_id}", response_class=Response)
def download_evidence(
    case_id: ObjectId, evidence_id: ObjectId, caller: CaseReader, url: DatabaseUrl
) -> Response:
    """The evidence file's bytes, with its SHA-256 in ``Digest``-style header ``X-Content-SHA256``."""
    found = cases_queries.evidence_file(url, caller, case_id, evidence_id)
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            "Content-Disposition": f"attachment; filename*=UTF-8''{_quote(found.file_name)}",
            "X-Content-SHA256": found.sha256,
        },
    )


@router.post("/cases/{case_id}/rating", response_model=CreatedOut, status_code=status.HTTP_201_CREATED)
def rate_case(case_id: ObjectId, body: RatingIn, caller: CaseResponder, url: DatabaseUrl) -> CreatedOut:
    """The enterprise rates its satisfaction (1–5) with the closure of its case, once per closure."""
    return CreatedOut(id=cases.rate_case(url, caller, case_id, score=body.score, comment=body.comment))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _quote(name: str) -> str:
    return quote(name, safe="")
