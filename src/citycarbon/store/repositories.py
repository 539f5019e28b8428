"""Bulk reads and writes of the ledger tables, in frames, for the services' transactions.

Imports and recalculations touch hundreds of thousands of rows, so these functions move data
as Polars frames and multi-row INSERTs rather than one ORM object per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, TypeVar

import polars as pl
from sqlalchemy import ColumnDefault, String, Table, any_, bindparam, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from citycarbon.domain.ledger.period import parse_period
from citycarbon.store.tables import (
    ActivityRecord,
    ImportBatch,
    Organisation,
    Period,
    Site,
)

CHUNK = 50_000
#: Most bound values in one IN (…) list; larger lists cost more to render than to look up.
IN_LIST = 20_000
T = TypeVar("T")
COPY_THRESHOLD = 1_000


def chunked(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    """Consecutive slices of at most ``size`` items: bounds statement size and memory."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def bulk_insert(session: Session, table: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, multi-row INSERTs elsewhere.

    Row-by-row INSERTs cost a round trip each on PostgreSQL; COPY streams a million rows in
    seconds, which is what keeps a large import inside its time budget.
    """
    if not rows:
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_THRESHOLD:
        _copy_rows(session, table.__table__, rows)
        return
    # render_nulls: rows whose dicts hold a None (no certificate, no tce lineage …) would otherwise
    # split each chunk into thousands of tiny INSERT batches, one per run of equal key sets.
    statement = insert(table).execution_options(render_nulls=True)
    for chunk in chunked(rows):
        session.execute(statement, list(chunk))


def _copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    given = list(rows[0])
    # COPY bypasses SQLAlchemy, so Python-side column defaults (created_at …) are filled here.
    defaults = {
        column.name: column.default.arg(None) if callable(column.default.arg) else column.default.arg
        for column in table.columns
        if column.name not in given and isinstance(column.default, ColumnDefault) and not column.primary_key
    }
    names = given + list(defaults)
    quoted = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table.name}" ({quoted}) FROM STDIN'
    driver = session.connection().connection.driver_connection
    extra = tuple(defaults.values())
    with driver.cursor() as cursor, cursor.copy(statement) as copy:  # type: ignore[union-attr]
        for row in rows:
            copy.write_row(tuple(row[name] for name in given) + extra)


def ensure_periods(session: Session, codes: Iterable[str]) -> dict[str, int]:
    """Return period ids by canonical code, creating the periods that do not exist yet."""
    wanted = set(codes)
    known = dict(session.execute(select(Period.code, Period.id).where(Period.code.in_(wanted))).all())
    missing = [parse_period(code) for code in sorted(wanted - set(known))]
    if missing:
        bulk_insert(
            session,
            Period,
            [
                {
                    "code": p.code,
                    "kind": p.kind,
                    "year": p.year,
                    "quarter": p.quarter,
                    "month": p.month,
                    "start_date": p.start_date,
                    "end_date": p.end_date,
                }
                for p in missing
            ],
        )
        known |= dict(session.execute(select(Period.code, Period.id).where(Period.code.in_(wanted))).all())
    return known


def ensure_sites(session: Session, pairs: Iterable[tuple[int, str]]) -> None:
    """Register the named sites (organisation id, site code) that are not known yet."""
    wanted = {(org, code) for org, code in pairs if code}
    if not wanted:
        return
    orgs = {org for org, _ in wanted}
    known = set(
        session.execute(
            select(Site.organisation_id, Site.site_code).where(Site.organisation_id.in_(orgs))
        ).all()
    )
    bulk_insert(session, Site, [{"organisation_id": o, "site_code": c} for o, c in sorted(wanted - known)])


def organisation_ids(session: Session) -> dict[str, int]:
    """Map every registered credit code to its organisation id."""
    return dict(session.execute(select(Organisation.uscc, Organisation.id)).all())


def legacy_codes(session: Session) -> set[str]:
    """Credit codes registered with an explicit legacy override (they fail the check digit)."""
    rows = session.execute(select(Organisation.uscc).where(Organisation.legacy_uscc_reason.is_not(None)))
    return set(rows.scalars())


def find_batch(session: Session, kind: str, file_sha256: str) -> ImportBatch | None:
    """The earlier import of the very same file, if any."""
    return session.execute(
        select(ImportBatch).where(ImportBatch.kind == kind, ImportBatch.file_sha256 == file_sha256)
    ).scalar_one_or_none()


def add_batch(session: Session, **values: Any) -> int:
    """Record an import batch and return its id."""
    batch = ImportBatch(**values)
    session.add(batch)
    session.flush()
    return batch.id


def current_activity(session: Session, keys: Iterable[str]) -> pl.DataFrame:
    """Current records whose natural key is among ``keys`` (id, record_key, quantity, unit)."""
    wanted = list(set(keys))
    found: list[tuple[int, str, float, str]] = []
    if session.get_bind().dialect.name == "postgresql":
        # One array parameter: rendering and parsing 20 000 bound values per statement cost
        # more than the lookup itself.
        found += session.execute(
            select(
                ActivityRecord.id, ActivityRecord.record_key, ActivityRecord.quantity, ActivityRecord.unit
            ).where(
                ActivityRecord.superseded_at.is_(None),
                ActivityRecord.record_key == any_(bindparam("keys", wanted, type_=ARRAY(String))),
            )
        ).all()
        wanted = []
    for part in chunked(wanted, IN_LIST):
        found += session.execute(
            select(
                ActivityRecord.id, ActivityRecord.record_key, ActivityRecord.quantity, ActivityRecord.unit
            ).where(ActivityRecord.superseded_at.is_(None), ActivityRecord.record_key.in_(part))
        ).all()
    return pl.DataFrame(
        found,
        schema={"id": pl.Int64, "record_key": pl.String, "quantity": pl.Float64, "unit": pl.String},
        orient="row",
    )


def supersede_activity(session: Session, ids: Sequence[int], at: dt.datetime) -> None:
    """Mark records as replaced (kept as history, no longer current)."""
    for part in chunked(ids, IN_LIST):
        session.execute(update(ActivityRecord).where(ActivityRecord.id.in_(part)).values(superseded_at=at))
