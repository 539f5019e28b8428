"""File imports as background jobs: upload returns a job id at once, progress is polled."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile, status

from citycarbon.api.deps import DatabaseUrl, LedgerWriter, Limit, ObjectId, Offset
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.api.schemas.imports import ImportJobOut
from citycarbon.services import import_jobs

router = APIRouter(tags=["imports"], responses=problem_responses(*COMMON_PROBLEMS, 404))


@router.post("/imports", response_model=ImportJobOut, status_code=status.HTTP_202_ACCEPTED)
async def submit_import(
    caller: LedgerWriter,
    url: DatabaseUrl,
    file: Annotated[UploadFile, File(description="CSV (UTF-8 or GB18030) or XLSX, as the import templates")],
    kind: Annotated[Literal["activity", "production", "organisation"] | None, Form()] = None,
    replace: Annotated[bool, Form()] = False,
) -> ImportJobOut:
    """Queue an import; poll ``GET /api/v1/imports/{job_id}`` for its progress and outcome."""
    content = await file.read()
    view = import_jobs.submit_import(
        url, caller, file_name=file.filename or "upload.csv", content=content, kind=kind, replace=replace
    )
    return ImportJobOut.model_validate(view)


@router.get("/imports", response_model=Page[ImportJobOut])
def list_imports(
    request: Request, caller: LedgerWriter, url: DatabaseUrl, limit: Limit = 50, offset: Offset = 0
) -> Page[ImportJobOut]:
    """The caller's import jobs, newest first (all jobs for administrators)."""
    locale = request.headers.get("accept-language")
    return Page[ImportJobOut].model_validate(import_jobs.list_jobs(url, caller, limit, offset, locale))


@router.get("/imports/{job_id}", response_model=ImportJobOut)
def get_import(request: Request, job_id: ObjectId, caller: LedgerWriter, url: DatabaseUrl) -> ImportJobOut:
    """State, progress (0–100) and outcome of an import job, with every problem when it failed.

    Problems are in the language of ``Accept-Language``, like every other message of the API.
    """
    locale = request.headers.get("accept-language")
    return ImportJobOut.model_validate(import_jobs.get_job(url, caller, job_id, locale))
