"""Background imports that survive a restart: the job and its file live in the database.

An upload is checked for shape and ownership at once, stored as a ``pending`` job and answered
with its id; a worker claims jobs one by one with a conditional UPDATE (so several server
processes never run the same job), keeps a heartbeat while it runs, and records progress and
the outcome. A job whose heartbeat stopped — the server died mid-import — is claimed again.
Re-running is safe: the import is one transaction (all rows or none) and a file already
imported adds nothing, so a job interrupted after its commit simply finishes as "already
imported".
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import or_, select, update

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.i18n import translator
from citycarbon.ingest.readers import read_table
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import NotFound
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ImportJob
from citycarbon.store.tables import Organisation

MSG_JOB_NOT_FOUND = "Import job {job_id} does not exist or is not yours"
MSG_OWN_ROWS_ONLY = "The file holds rows of organisations other than yours ({uscc}); nothing was queued"
MSG_KIND_ADMIN_ONLY = "Only administrators can import {kind} files"


@dataclass(frozen=True, slots=True)
class JobView:
    """State and progress of an import job."""

    job_id: int
    state: str
    step: str
    progress_percent: int
    kind: str | None
    file_name: str
    rows_count: int | None
    written_count: int | None
    skipped_count: int | None
    import_batch_id: int | None
    error_message: str | None
    problems: list[dict[str, object]]
    created_at: dt.datetime
    finished_at: dt.datetime | None


def _problems_in(problems_json: str | None, locale: str | None) -> list[dict[str, object]]:
    problems: list[dict[str, object]] = json.loads(problems_json) if problems_json else []
    tr = translator(locale)
    for problem in problems:
        template, params = problem.pop("template", None), problem.pop("params", None)
        if isinstance(template, str) and isinstance(params, dict):
            problem["message"] = tr(template).format(**params)
    return problems


def job_view(job: ImportJob, locale: str | None = None) -> JobView:
    """The API view of a job row, its problems in ``locale`` (zh_CN by default)."""
    return JobView(
        job.id,
        job.state,
        job.step,
        job.progress_percent,
        job.kind,
        job.file_name,
        job.rows_count,
        job.written_count,
        job.skipped_count,
        job.import_batch_id,
        job.error_message,
        _problems_in(job.problems_json, locale),
        job.created_at,
        job.finished_at,
    )


def _check_ownership(url: str, caller: Caller, kind: str, codes: set[str]) -> None:
    principal = caller.principal
    if principal.holds(Role.ADMIN):
        return
    if kind == "organisation":
        raise Forbidden(MSG_KIND_ADMIN_ONLY, kind=kind)
    with unit_of_work(url) as session:
        own = session.get(Organisation, principal.organisation_id) if principal.organisation_id else None
    others = sorted(codes - {own.uscc}) if own is not None else sorted(codes)
    if others or not principal.holds(Role.ENTERPRISE):
        raise Forbidden(MSG_OWN_ROWS_ONLY, uscc=", ".join(others[:5]))


def submit_import(
    url: str, caller: Caller, *, file_name: str, content: bytes, kind: str | None, replace: bool
) -> JobView:
    """Check the file's headers and ownership now, queue the import, and return the job.

    Raises
    ------
    ValidationFailed
        When the file cannot be read as a table (unknown format, headers, encoding).
    Forbidden
        When the file holds rows of another organisation, or a non-admin sends master data.

    """
    raw = read_table(content, file_name=file_name, kind=kind)  # type: ignore[arg-type]
    _check_ownership(url, caller, raw.kind, set(raw.frame["uscc"].drop_nulls().to_list()))
    with unit_of_work(url) as session:
        job = ImportJob(
            state="pending",
            kind=raw.kind,
            file_name=file_name,
            file_content=content,
            is_replace=replace,
            submitted_by_user_id=caller.principal.user_id,
            progress_percent=0,
            step="queued",
            attempt_count=0,
        )
        session.add(job)
        session.flush()
        record_event(
            session,
            caller,
            action="write",
            resource="import_job",
            subject_organisation_id=caller.principal.organisation_id,
            detail=f"queued job {job.id}: {raw.kind} file {file_name} ({raw.frame.height} rows)",
        )
        return job_view(job)


def get_job(url: str, caller: Caller, job_id: int, locale: str | None = None) -> JobView:
    """A job's progress, for its submitter or an administrator."""
    with unit_of_work(url) as session:
        job = session.get(ImportJob, job_id)
        if job is None or not (
            job.submitted_by_user_id == caller.principal.user_id or caller.principal.holds(Role.ADMIN)
        ):
            raise NotFound(MSG_JOB_NOT_FOUND, job_id=job_id)
        return job_view(job, locale)


def list_jobs(url: str, caller: Caller, limit: int, offset: int, locale: str | None = None) -> Page[JobView]:
    """The caller's jobs (every job for administrators), newest first."""
    limit = page_limit(limit)
    query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit + 1).offset(offset)
    if not caller.principal.holds(Role.ADMIN):
        query = query.where(ImportJob.submitted_by_user_id == caller.principal.user_id)
    with unit_of_work(url) as session:
        return paginate([job_view(j, locale) for j in session.execute(query).scalars()], limit, offset)


def claim_next_job(url: str, stale_seconds: int) -> int | None:
    """Claim the oldest pending job, or a running one whose heartbeat stopped; ``None`` if idle."""
    now = dt.datetime.now(dt.UTC)
    stale = now - dt.timedelta(seconds=stale_seconds)
    claimable = or_(
        ImportJob.state == "pending",
        (ImportJob.state == "running") & (ImportJob.heartbeat_at < stale),
    )
    with unit_of_work(url) as session:
        for job_id, heartbeat in session.execute(
            select(ImportJob.id, ImportJob.heartbeat_at).where(claimable).order_by(ImportJob.id).limit(5)
        ):
            # Conditional on the heartbeat we read: of two processes, only one wins the row.
            same = (
                ImportJob.heartbeat_at.is_(None) if heartbeat is None else ImportJob.heartbeat_at == heartbeat
            )
            claimed = session.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id, claimable, same)
                .values(
                    state="running",
                    step="starting",
                    started_at=now,
                    heartbeat_at=now,
                    attempt_count=ImportJob.attempt_count + 1,
                )
            )
            if claimed.rowcount == 1:  # type: ignore[attr-defined]
                return int(job_id)
    return None
