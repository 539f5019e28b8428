"""Schemas of background import jobs."""

from __future__ import annotations

from citycarbon.api.schemas.common import ProblemItem, Schema, UtcDateTime


class ImportJobOut(Schema):
    """State and progress of an import job (poll ``GET /api/v1/imports/{job_id}``)."""

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
    problems: list[ProblemItem]
    created_at: UtcDateTime
    finished_at: UtcDateTime | None
