"""Run claimed import jobs: import, recalculate, record progress, and keep a heartbeat.

The worker is a daemon thread in each server process (started by the web application) that
polls the job table; because claiming is a conditional UPDATE, any number of processes can
run it side by side.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from typing import Any

from sqlalchemy import update

from citycarbon.domain.errors import CityCarbonError, ValidationFailed
from citycarbon.i18n import translator
from citycarbon.services.import_jobs import claim_next_job
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ImportJob, UserAccount

log = logging.getLogger(__name__)
MAX_PROBLEMS_KEPT = 500


def _set(url: str, job_id: int, **values: Any) -> None:
    with unit_of_work(url) as session:
        session.execute(update(ImportJob).where(ImportJob.id == job_id).values(**values))


def _heartbeat(url: str, job_id: int, stop: threading.Event, every_seconds: float) -> None:
    while not stop.wait(every_seconds):
        _set(url, job_id, heartbeat_at=dt.datetime.now(dt.UTC))


def _problems(error: ValidationFailed) -> str:
    english = translator("en")
    return json.dumps(
        [
            {
                "row": p.row,
                "column": p.column,
                "message": p.render(english),
                # Template and parameters are kept so each reader sees the message in their language.
                "template": p.message,
                "params": {key: str(value) for key, value in p.params.items()},
            }
            for p in error.problems[:MAX_PROBLEMS_KEPT]
        ],
        ensure_ascii=False,
    )


def run_job(url: str, job_id: int, *, heartbeat_seconds: float = 10.0) -> None:
    """Run one claimed job to its end, recording success or the reason it failed."""
    with unit_of_work(url) as session:
        job = session.get(ImportJob, job_id)
        assert job is not None
        content, file_name, kind, replace = job.file_content, job.file_name, job.kind, job.is_replace
        user = session.get(UserAccount, job.submitted_by_user_id)
        username = user.username if user is not None else None
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(url, job_id, stop, heartbeat_seconds), daemon=True)
    beat.start()
    try:
        _set(url, job_id, step="importing", progress_percent=10)
        summary = import_file(url, content, file_name=file_name, kind=kind, replace=replace, user=username)
        _set(
            url,
            job_id,
            step="calculating",
            progress_percent=70,
            rows_count=summary.rows,
            written_count=summary.written,
            skipped_count=summary.skipped,
            import_batch_id=summary.batch_id,
        )
        if summary.affected:
            recalculate(url, pairs=summary.affected, trigger="import_job")
        _finish(url, job_id, "succeeded", step="done")
    except ValidationFailed as error:
        _finish(
            url, job_id, "failed", step="rejected", error_message=str(error), problems_json=_problems(error)
        )
    except CityCarbonError as error:
        _finish(url, job_id, "failed", step="rejected", error_message=str(error))
    except Exception as error:  # a job must never stay "running" because of a bug
        log.exception("import job %s failed", job_id)
        _finish(url, job_id, "failed", step="error", error_message=type(error).__name__)
    finally:
        stop.set()
        beat.join()


def _finish(url: str, job_id: int, state: str, **values: Any) -> None:
    _set(url, job_id, state=state, progress_percent=100, finished_at=dt.datetime.now(dt.UTC), **values)


def run_pending_jobs(url: str, stale_seconds: int) -> int:
    """Run every claimable job now (what a worker does at start-up); return how many ran."""
    count = 0
    while (job_id := claim_next_job(url, stale_seconds)) is not None:
        run_job(url, job_id)
        count += 1
    return count


class ImportWorker:
    """A daemon thread that runs claimable jobs at start-up and then every ``poll_seconds``."""

    def __init__(self, url: str, stale_seconds: int, poll_seconds: float = 1.0) -> None:
        self._url, self._stale, self._poll = url, stale_seconds, poll_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="citycarbon-import-worker", daemon=True)

    def start(self) -> None:
        """Start polling (picks up pending and interrupted jobs straight away)."""
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the thread to stop after the current job and wait for it."""
        self._stop.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                run_pending_jobs(self._url, self._stale)
            except Exception:  # the database may be briefly unavailable; try again next poll
                log.exception("import worker poll failed")
            self._stop.wait(self._poll)
