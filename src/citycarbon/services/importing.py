"""Import use cases: validate a whole file, then write all of it or nothing, exactly once.

Idempotency has two layers: a file whose digest was imported before adds nothing, and a row
whose natural key already holds the same quantity is skipped. A row that would change a stored
quantity is a conflict unless the caller asks to replace (the old record stays as history).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import polars as pl
from sqlalchemy.orm import Session

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.engines.activity_validation import validate_activity
from citycarbon.engines.master_validation import validate_organisations, validate_production
from citycarbon.ingest.readers import RawTable, read_table
from citycarbon.refdata.factor_book import load_factor_book
from citycarbon.store import repositories as repo
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import ActivityRecord

MSG_UNKNOWN_ORG = "Organisation {uscc} is not registered; import it in an organisation file first"
MSG_CONFLICT = (
    "Already recorded as {stored} {stored_unit}; this file says {value} {unit}. Use --replace to correct it"
)


@dataclass(frozen=True)
class ImportSummary:
    """What an import did (or, for a dry run, would do)."""

    kind: str
    file_name: str
    encoding: str
    rows: int
    written: int
    skipped: int
    replaced: int = 0
    dry_run: bool = False
    already_imported: bool = False
    batch_id: int | None = None
    affected: list[tuple[str, str]] = field(default_factory=list)


def import_file(
    url: str,
    source: str | os.PathLike[str] | bytes,
    *,
    file_name: str,
    kind: str | None = None,
    dry_run: bool = False,
    replace: bool = False,
    user: str | None = None,
    progress: Callable[[str], None] = lambda _step: None,
) -> ImportSummary:
    """Import one CSV/XLSX file of organisations, production or activity data in one transaction.

    Raises
    ------
    ValidationFailed
        With every problem found; nothing is written.
    """
    progress("read")
    raw = read_table(source, file_name=file_name, kind=kind)  # type: ignore[arg-type]
    progress("validate")
    with unit_of_work(url) as session:
        earlier = repo.find_batch(session, raw.kind, raw.file_sha256)
        if earlier is not None:
            return ImportSummary(
                raw.kind,
                file_name,
                raw.encoding,
                raw.frame.height,
                0,
                raw.frame.height,
                dry_run=dry_run,
                already_imported=True,
                batch_id=earlier.id,
            )
        writer = {
            "activity": _import_activity,
            "organisation": _import_organisations,
            "production": _import_production,
        }[raw.kind]
        summary: ImportSummary = writer(session, raw, dry_run=dry_run, replace=replace, user=user)
        if dry_run:
            session.rollback()
        return summary


class ImportedFile(Protocol):
    """What an import batch records of the file it came from (ledger and monitoring files alike)."""

    @property
    def file_name(self) -> str:
        """Name the file was uploaded under."""

    @property
    def file_sha256(self) -> str:
        """Hex SHA-256 of the uploaded bytes."""

    @property
    def encoding(self) -> str:
        """Encoding the file was read in (or ``xlsx``)."""

    @property
    def frame(self) -> pl.DataFrame:
        """The file's rows (one per data row)."""


def record_batch(
    session: Session, file: ImportedFile, kind: str, written: int, skipped: int, user: str | None
) -> int:
    """Write the import-batch row of ``file`` (its digest makes re-imports recognisable); return its id."""
    return repo.add_batch(
        session,
        kind=kind,
        file_name=file.file_name,
        file_sha256=file.file_sha256,
        encoding=file.encoding,
        row_count=file.frame.height,
        written_count=written,
        skipped_count=skipped,
        created_by=user,
    )


def _known_organisations(
    session: Session, frame: pl.DataFrame, header: dict[str, str]
) -> tuple[dict[str, int], list[Problem]]:
    ids = repo.organisation_ids(session)
    unknown = frame.filter(~pl.col("uscc").is_in(list(ids)))
    column = header.get("uscc", "uscc")
    return ids, [
        Problem(MSG_UNKNOWN_ORG, row=r, column=column, params={"uscc": u})
        for r, u in unknown.select("row_number", "uscc").iter_rows()
    ]


def _import_activity(
    session: Session, raw: RawTable, *, dry_run: bool, replace: bool, user: str | None
) -> ImportSummary:
    header = dict(raw.header_mapping)
    book = load_factor_book()
    checked = validate_activity(raw.frame, book, header, repo.legacy_codes(session))
    if checked.problems:
        raise ValidationFailed(checked.problems)
    frame = checked.frame.with_columns(
        pl.concat_str(["uscc", "site", "period", "category", "item_code"], separator="|").alias("record_key")
    )
    ids, problems = _known_organisations(session, frame, header)
    stored = repo.current_activity(session, frame["record_key"])
    joined = frame.join(
        stored.rename({"id": "stored_id", "quantity": "stored", "unit": "stored_unit"}),
        on="record_key",
        how="left",
    )
    same = (pl.col("stored") == pl.col("quantity")) & (pl.col("stored_unit") == pl.col("unit"))
    conflicts = joined.filter(pl.col("stored_id").is_not_null() & ~same)
    if not replace:
        problems += [
            Problem(MSG_CONFLICT, row=r["row_number"], column=header.get("quantity", "quantity"), params=r)
            for r in conflicts.select(
                "row_number", "stored", "stored_unit", pl.col("quantity").alias("value"), "unit"
            ).iter_rows(named=True)
        ]
    if problems:
        raise ValidationFailed(sorted(problems, key=lambda p: p.row or 0))
    new = joined.filter(pl.col("stored_id").is_null() | ~same)
    affected = sorted(set(new.select("uscc", "period").iter_rows()))
    summary = ImportSummary(
        "activity",
        raw.file_name,
        raw.encoding,
        frame.height,
        new.height,
        frame.height - new.height,
        replaced=conflicts.height,
        dry_run=dry_run,
        affected=affected,
    )
    if dry_run:
        return summary
    now = dt.datetime.now(dt.UTC)
    repo.supersede_activity(session, conflicts["stored_id"].to_list(), now)
    batch_id = record_batch(session, raw, raw.kind, new.height, frame.height - new.height, user)
    periods = repo.ensure_periods(session, new["period"].unique().to_list())
    rows = new.select(
        pl.col("uscc").replace_strict(ids, return_dtype=pl.Int64).alias("organisation_id"),
        pl.col("site").alias("site_code"),
        pl.col("period").replace_strict(periods, return_dtype=pl.Int64).alias("period_id"),
        "category",
        "item_code",
        "quantity",
        "unit",
        "certificate",
        "record_key",
        "row_number",
        pl.lit(batch_id).alias("import_batch_id"),
        pl.lit(now).alias("created_at"),
    ).to_dicts()
    repo.ensure_sites(session, {(row["organisation_id"], row["site_code"]) for row in rows})
    repo.bulk_insert(session, ActivityRecord, rows)
    return ImportSummary(**{**summary.__dict__, "batch_id": batch_id})


def _import_organisations(
    session: Session, raw: RawTable, *, dry_run: bool, replace: bool, user: str | None
) -> ImportSummary:
    from citycarbon.services.organisations import write_organisations

    checked = validate_organisations(raw.frame, dict(raw.header_mapping))
    if checked.problems:
        raise ValidationFailed(checked.problems)
    batch_id = None if dry_run else record_batch(session, raw, raw.kind, 0, 0, user)
    written, skipped = write_organisations(session, checked.frame, batch_id, dry_run=dry_run)
    return ImportSummary(
        "organisation",
        raw.file_name,
        raw.encoding,
        checked.frame.height,
        written,
        skipped,
        dry_run=dry_run,
        batch_id=batch_id,
    )


def _import_production(
    session: Session, raw: RawTable, *, dry_run: bool, replace: bool, user: str | None
) -> ImportSummary:
    from citycarbon.services.organisations import write_production

    header = dict(raw.header_mapping)
    checked = validate_production(raw.frame, header)
    problems = list(checked.problems)
    ids, unknown = _known_organisations(session, checked.frame.drop_nulls("uscc"), header)
    if problems or unknown:
        raise ValidationFailed(sorted(problems + unknown, key=lambda p: p.row or 0))
    batch_id = None if dry_run else record_batch(session, raw, raw.kind, 0, 0, user)
    written, skipped, conflicts = write_production(
        session, checked.frame, ids, batch_id, replace=replace, dry_run=dry_run
    )
    if conflicts:
        raise ValidationFailed(conflicts)
    return ImportSummary(
        "production",
        raw.file_name,
        raw.encoding,
        checked.frame.height,
        written,
        skipped,
        dry_run=dry_run,
        batch_id=batch_id,
    )


def describe(summary: ImportSummary) -> dict[str, Any]:
    """Plain-dict form for JSON output and the API."""
    return {k: v for k, v in summary.__dict__.items() if k != "affected"} | {
        "affected_periods": len(summary.affected)
    }
