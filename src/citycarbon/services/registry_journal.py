"""Append registry events to the journal and seal them into the SHA-256 chain.

Appending happens inside the use case's own transaction, so an event is recorded if and only
if its change is committed. Chaining needs the previous entry's hash, which would make every
registry transaction wait for the one before it to reach the disk; instead a sealer links
committed entries in batches, under a lock, in the order of their ids. Two use cases that touch
the same units are ordered by their row locks, and the later one always writes its entry (and
so gets its id) after the earlier one committed, so id order never reverses a dependency.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import Any, cast

from sqlalchemy import Row, Table, insert, select, text, update
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.journal import (
    GENESIS_HASH,
    CashLine,
    JournalRecord,
    UnitMovement,
    compute_entry_hash,
)
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_journal_tables import SinkJournalCash, SinkJournalEntry, SinkJournalMovement
from citycarbon.store.repositories import chunked

#: Key of the PostgreSQL advisory lock held by the one sealer at work.
SEALER_LOCK_KEY = 6_0001_2023
SEAL_BATCH = 5000
ENTRY = cast(Table, SinkJournalEntry.__table__)
MOVEMENT = cast(Table, SinkJournalMovement.__table__)
CASH = cast(Table, SinkJournalCash.__table__)
E, M, C = ENTRY.c, MOVEMENT.c, CASH.c


def take_write_lock(session: Session) -> None:
    """On SQLite, take the database write lock now (a write makes pysqlite BEGIN at once)."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE sink_journal_entry SET seq = seq WHERE 1 = 0"))


def append_entry(session: Session, record: JournalRecord) -> int:
    """Write an unsealed entry with its movements and cash lines; return its id."""
    entry_id: int = session.execute(
        insert(ENTRY).returning(E.id),
        {
            "event_type": record.event_type,
            "occurred_at": record.occurred_at,
            "actor": record.actor,
            "reference": record.reference,
            "note": record.note,
        },
    ).scalar_one()
    if record.movements:
        session.execute(
            insert(MOVEMENT),
            [
                {"entry_id": entry_id, "line_no": n, **_movement_row(m)}
                for n, m in enumerate(record.movements, 1)
            ],
        )
    if record.cash_lines:
        session.execute(
            insert(CASH),
            [
                {"entry_id": entry_id, "line_no": n, "party_name": c.party_name, "amount_fen": c.amount_fen}
                for n, c in enumerate(record.cash_lines, 1)
            ],
        )
    return entry_id


def _movement_row(movement: UnitMovement) -> dict[str, Any]:
    return {
        "project_code": movement.project_code,
        "vintage_year": movement.vintage_year,
        "serial_start": movement.serial_start,
        "serial_end": movement.serial_end,
        "from_account_code": movement.from_account_code,
        "from_state": movement.from_state,
        "to_account_code": movement.to_account_code,
        "to_state": movement.to_state,
    }


def _lock_sealer(session: Session, wait: bool) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        take_write_lock(session)
        return True
    if wait:
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SEALER_LOCK_KEY})
        return True
    return bool(
        session.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": SEALER_LOCK_KEY}).scalar()
    )


def seal_journal(url: str, *, wait: bool = True) -> int:
    """Link every committed, unsealed entry into the chain; return how many were sealed.

    With ``wait=False`` the call returns at once when another sealer is at work (that sealer,
    or the next one, will pick these entries up); verification and export call it with
    ``wait=True`` so they see a fully sealed journal.
    """
    total = 0
    while True:
        with unit_of_work(url) as session:
            if not _lock_sealer(session, wait):
                return total
            head = session.execute(
                select(E.seq, E.entry_hash).where(E.seq.is_not(None)).order_by(E.seq.desc()).limit(1)
            ).first()
            rows = session.execute(
                select(ENTRY).where(E.seq.is_(None)).order_by(E.id).limit(SEAL_BATCH)
            ).all()
            if not rows:
                return total
            seq, prev = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
            changes = []
            for entry_id, record in entry_records(session, rows):
                seq += 1
                entry_hash = compute_entry_hash(replace(record, seq=seq), prev)
                changes.append({"id": entry_id, "seq": seq, "prev_hash": prev, "entry_hash": entry_hash})
                prev = entry_hash
            session.execute(update(SinkJournalEntry), changes)
        total += len(rows)
        if len(rows) < SEAL_BATCH:
            return total


def entry_records(session: Session, rows: Sequence[Row[Any]]) -> Iterator[tuple[int, JournalRecord]]:
    """Journal records of entry ``rows`` with their movements and cash lines, in the rows' order."""
    ids = [row.id for row in rows]
    movements: dict[int, list[UnitMovement]] = defaultdict(list)
    cash: dict[int, list[CashLine]] = defaultdict(list)
    for chunk in chunked(ids, 2000):
        for m in session.execute(select(MOVEMENT).where(M.entry_id.in_(chunk)).order_by(M.id)):
            movements[m.entry_id].append(
                UnitMovement(
                    m.project_code,
                    m.vintage_year,
                    m.serial_start,
                    m.serial_end,
                    m.from_account_code,
                    m.from_state,
                    m.to_account_code,
                    m.to_state,
                )
            )
        for c in session.execute(select(CASH).where(C.entry_id.in_(chunk)).order_by(C.id)):
            cash[c.entry_id].append(CashLine(c.party_name, c.amount_fen))
    for row in rows:
        yield (
            row.id,
            JournalRecord(
                seq=row.seq or 0,
                event_type=row.event_type,
                occurred_at=row.occurred_at,
                actor=row.actor,
                reference=row.reference,
                note=row.note,
                movements=tuple(movements[row.id]),
                cash_lines=tuple(cash[row.id]),
                prev_hash=row.prev_hash or "",
                entry_hash=row.entry_hash or "",
            ),
        )


def load_sealed_records(session: Session, batch: int = 5000) -> Iterator[JournalRecord]:
    """Every sealed entry in chain order, read in batches (journals outgrow memory-sized queries)."""
    last = 0
    while True:
        rows = session.execute(select(ENTRY).where(E.seq > last).order_by(E.seq).limit(batch)).all()
        if not rows:
            return
        for _, record in entry_records(session, rows):
            yield record
        last = rows[-1].seq
