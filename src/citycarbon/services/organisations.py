"""Write organisation master data and production records (upsert by natural key)."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from citycarbon.domain.errors import Problem
from citycarbon.store import repositories as repo
from citycarbon.store.tables import ImportBatch, Organisation, ProductionRecord

MSG_PRODUCTION_CONFLICT = (
    "Already recorded for this period with different figures; use --replace to correct them"
)
FIELDS = ("name", "kind", "industry_code", "region_code", "area_mu", "legacy_uscc_reason")
PRODUCTION_FIELDS = ("output_value_10k_cny", "value_added_10k_cny", "product_output", "product_unit")


def _set_counts(session: Session, batch_id: int | None, written: int, skipped: int) -> None:
    if batch_id is not None:
        session.execute(
            update(ImportBatch)
            .where(ImportBatch.id == batch_id)
            .values(written_count=written, skipped_count=skipped)
        )


def write_organisations(
    session: Session, frame: pl.DataFrame, batch_id: int | None, *, dry_run: bool
) -> tuple[int, int]:
    """Insert new organisations and update changed ones; identical rows are skipped."""
    existing = {
        o.uscc: o
        for o in session.execute(
            select(Organisation).where(Organisation.uscc.in_(frame["uscc"].to_list()))
        ).scalars()
    }
    new_rows, written = [], 0
    for row in frame.iter_rows(named=True):
        current = existing.get(row["uscc"])
        values = {f: row[f] for f in FIELDS}
        if current is None:
            new_rows.append({"uscc": row["uscc"], **values, "import_batch_id": batch_id})
        elif any(getattr(current, f) != v for f, v in values.items()):
            written += 1
            if not dry_run:
                for f, v in values.items():
                    setattr(current, f, v)
    if not dry_run:
        repo.bulk_insert(session, Organisation, new_rows)
    written += len(new_rows)
    _set_counts(session, batch_id, written, frame.height - written)
    return written, frame.height - written


def write_production(
    session: Session,
    frame: pl.DataFrame,
    ids: dict[str, int],
    batch_id: int | None,
    *,
    replace: bool,
    dry_run: bool,
) -> tuple[int, int, list[Problem]]:
    """Insert production records; same figures are skipped, changed ones conflict unless replacing."""
    periods = repo.ensure_periods(session, frame["period"].unique().to_list())
    stored = {
        (r.organisation_id, r.period_id, r.product_code): r
        for r in session.execute(
            select(ProductionRecord).where(
                ProductionRecord.superseded_at.is_(None),
                ProductionRecord.period_id.in_(list(periods.values())),
            )
        ).scalars()
    }
    now = dt.datetime.now(dt.UTC)
    rows, conflicts, skipped = [], [], 0
    for row in frame.iter_rows(named=True):
        key = (ids[row["uscc"]], periods[row["period"]], row["product_code"])
        values = {f: row[f] for f in PRODUCTION_FIELDS}
        old = stored.get(key)
        if old is not None and all(getattr(old, f) == v for f, v in values.items()):
            skipped += 1
            continue
        if old is not None and not replace:
            conflicts.append(Problem(MSG_PRODUCTION_CONFLICT, row=row["row_number"]))
            continue
        if old is not None:
            old.superseded_at = now
        rows.append(
            {
                "organisation_id": key[0],
                "period_id": key[1],
                "product_code": key[2],
                **values,
                "import_batch_id": batch_id,
                "created_at": now,
            }
        )
    if not dry_run and not conflicts:
        session.flush()
        repo.bulk_insert(session, ProductionRecord, rows)
    _set_counts(session, batch_id, len(rows), skipped)
    return len(rows), skipped, conflicts
