"""Append registry events to the journal and seal them into the SHA-256 chain.

Appending happens inside the use case's own transaction, so an event is recorded if and only
if its change is committed. Chaining needs the previous entry's hash, which would make every
registry transaction wait for the one before it to reach the disk; instead a sealer links
committed entries in batches, under a lock, in the order of their ids. Two use cases that touch
the same units are ordered by their row locks, and the later one always writes its entry (and
so gets its id) after the earlier one committed, so id order never reverses a dependency.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any, cast

import psycopg
from sqlalchemy import Row, Table, insert, select, text, update
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.sinks.journal import (
    GENESIS_HASH,
    CashLine,
    JournalRecord,
    UnitMovement,
    compute_entry_hash,
)
from citycarbon.services.registry_pg import autocommit_connection, is_postgresql
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_journal_tables import SinkJournalCash, SinkJournalEntry, SinkJournalMovement
from citycarbon.store.repositories import chunked

#: Key of the PostgreSQL advisory lock held by the one sealer at work.
SEALER_LOCK_KEY = 6_0001_2023
SEAL_BATCH = 5000
SEAL_WAIT_S = 15.0
MSG_SEALER_BUSY = (
    "Another process has been sealing the registry journal for over {seconds} s; try again shortly"
)


class SealerBusy(CityCarbonError):
    """The journal could not be sealed in time because another sealer holds the lock."""


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


def seal_journal(url: str, *, wait: bool = True) -> int:
    """Link every committed, unsealed entry into the chain; return how many were sealed.

    With ``wait=False`` the call returns at once when another sealer is at work (that sealer,
    or the next one, will pick these entries up); verification and export call it with
    ``wait=True`` so they see a fully sealed journal.
    """
    sealed = try_seal_journal(url, wait=wait)
    if sealed is None and wait:
        raise SealerBusy(MSG_SEALER_BUSY, seconds=int(SEAL_WAIT_S))
    return sealed or 0


def try_seal_journal(url: str, *, wait: bool = False) -> int | None:
    """Like :func:`seal_journal`, but ``None`` when another sealer held the lock (nothing was done)."""
    if is_postgresql(url):
        return _seal_postgresql(url, wait)
    total = 0
    while True:
        with unit_of_work(url) as session:
            take_write_lock(session)  # SQLite: one writer at a time is the sealer's lock
            head = session.execute(
                select(E.seq, E.entry_hash).where(E.seq.is_not(None)).order_by(E.seq.desc()).limit(1)
            ).first()
            seq, prev = (head.seq, head.entry_hash) if head else (0, GENESIS_HASH)
            count = _seal_batch(session, seq, prev)
        total += count
        if count < SEAL_BATCH:
            return total


def _chain(
    records: Iterable[tuple[int, JournalRecord]], seq: int, prev: str
) -> list[tuple[int, int, str, str]]:
    """``(id, seq, prev_hash, entry_hash)`` of each record linked after ``seq`` / ``prev``."""
    links = []
    for entry_id, record in records:
        seq += 1
        entry_hash = compute_entry_hash(replace(record, seq=seq), prev)
        links.append((entry_id, seq, prev, entry_hash))
        prev = entry_hash
    return links


def _seal_batch(session: Session, seq: int, prev: str) -> int:
    rows = session.execute(select(ENTRY).where(E.seq.is_(None)).order_by(E.id).limit(SEAL_BATCH)).all()
    links = _chain(entry_records(session, rows), seq, prev)
    if links:
        changes = [{"id": i, "seq": n, "prev_hash": p, "entry_hash": h} for i, n, p, h in links]
        session.execute(update(SinkJournalEntry), changes)
    return len(links)


#: Unsealed entries with their movements and cash lines as JSON arrays: one query, no per-row
#: result objects (a busy registry seals ~1,000 entries/s, each with several movements).
_UNSEALED_POSTGRESQL = """
SELECT e.id, e.event_type, e.occurred_at, e.actor, e.reference, e.note,
       (SELECT json_agg(json_build_array(m.project_code, m.vintage_year, m.serial_start, m.serial_end,
                                         m.from_account_code, m.from_state, m.to_account_code, m.to_state)
                        ORDER BY m.id)
          FROM sink_journal_movement m WHERE m.entry_id = e.id),
       (SELECT json_agg(json_build_array(c.party_name, c.amount_fen) ORDER BY c.id)
          FROM sink_journal_cash c WHERE c.entry_id = e.id)
  FROM sink_journal_entry e WHERE e.seq IS NULL ORDER BY e.id LIMIT %(limit)s
"""
_SEAL_POSTGRESQL = """
UPDATE sink_journal_entry e SET seq = u.seq, prev_hash = u.prev_hash, entry_hash = u.entry_hash
  FROM unnest(%(ids)s::bigint[], %(seqs)s::bigint[], %(prevs)s::text[], %(hashes)s::text[])
       AS u(id, seq, prev_hash, entry_hash)
 WHERE e.id = u.id
"""


_HEAD_POSTGRESQL = (
    "SELECT seq, entry_hash FROM sink_journal_entry WHERE seq IS NOT NULL ORDER BY seq DESC LIMIT 1"
)


def _seal_postgresql(url: str, wait: bool) -> int | None:
    # A session-level advisory lock taken in autocommit, so a busy sealer costs the others one
    # statement; each batch is then sealed in a transaction of its own.
    with autocommit_connection(url) as connection:
        if not _take_sealer_lock(connection, SEAL_WAIT_S if wait else 0.0):
            return None
        try:
            total = 0
            while True:
                with connection.transaction():
                    head = connection.execute(_HEAD_POSTGRESQL).fetchone()
                    seq, prev = (head[0], head[1]) if head else (0, GENESIS_HASH)
                    rows = connection.execute(_UNSEALED_POSTGRESQL, {"limit": SEAL_BATCH}).fetchall()
                    links = _chain(_json_records(rows), seq, prev)
                    if links:
                        ids, seqs, prevs, hashes = (list(column) for column in zip(*links, strict=True))
                        values = {"ids": ids, "seqs": seqs, "prevs": prevs, "hashes": hashes}
                        connection.execute(_SEAL_POSTGRESQL, values)
                total += len(links)
                if len(links) < SEAL_BATCH:
                    return total
        finally:
            connection.execute("SELECT pg_advisory_unlock(%s)", (SEALER_LOCK_KEY,))


def _take_sealer_lock(connection: psycopg.Connection[Any], wait_s: float) -> bool:
    """Try the sealer's advisory lock for up to ``wait_s`` seconds.

    Bounded on purpose: a process sealing at exit must never hang on a lock another process
    keeps; whoever holds it seals the same entries anyway.
    """
    deadline = time.monotonic() + wait_s
    while not _fetch_one(connection, "SELECT pg_try_advisory_lock(%s)", (SEALER_LOCK_KEY,))[0]:
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


def _fetch_one(connection: psycopg.Connection[Any], query: str, params: tuple[Any, ...]) -> tuple[Any, ...]:
    row = connection.execute(query, params).fetchone()
    assert row is not None
    return tuple(row)


def _json_records(rows: Iterable[tuple[Any, ...]]) -> Iterator[tuple[int, JournalRecord]]:
    for row in rows:
        movements = tuple(UnitMovement(*m) for m in row[6] or ())
        cash = tuple(CashLine(*c) for c in row[7] or ())
        yield row[0], JournalRecord(0, row[1], row[2], row[3], row[4], row[5], movements, cash)


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
