"""The registry journal: entries chained by SHA-256, so an edited, inserted or deleted entry shows.

Each entry's hash covers its own fields, its unit movements and cash lines, and the hash of the
entry before it. Recomputing the chain from the first entry therefore finds the first entry
whose stored content no longer matches what was written (the "first broken link").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64
CHECKPOINT_DOMAIN = "citycarbon-registry-checkpoint/1"


@dataclass(frozen=True, slots=True)
class UnitMovement:
    """Serials ``serial_start…serial_end`` moving from one place (account, state) to another.

    Issuance moves units from nowhere (``from_account_code`` ``None``, state ``unissued``).
    """

    project_code: str
    vintage_year: int
    serial_start: int
    serial_end: int
    from_account_code: str | None
    from_state: str
    to_account_code: str
    to_state: str


@dataclass(frozen=True, slots=True)
class CashLine:
    """An amount of money paid to or allocated to one party [fen, 0.01 CNY]."""

    party_name: str
    amount_fen: int


@dataclass(frozen=True, slots=True)
class JournalRecord:
    """One registry event as written in the journal."""

    seq: int
    event_type: str
    occurred_at: dt.datetime
    actor: str
    reference: str
    note: str
    movements: tuple[UnitMovement, ...] = ()
    cash_lines: tuple[CashLine, ...] = ()
    prev_hash: str = GENESIS_HASH
    entry_hash: str = field(default="")


def utc_text(moment: dt.datetime) -> str:
    """ISO 8601 UTC text with microseconds; naive datetimes (as SQLite returns them) are UTC."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_content(record: JournalRecord, prev_hash: str) -> bytes:
    """The bytes an entry's hash is computed over: sorted-key compact JSON in UTF-8."""
    content: dict[str, Any] = {
        "seq": record.seq,
        "event_type": record.event_type,
        "occurred_at": utc_text(record.occurred_at),
        "actor": record.actor,
        "reference": record.reference,
        "note": record.note,
        "movements": [
            [
                m.project_code,
                m.vintage_year,
                m.serial_start,
                m.serial_end,
                m.from_account_code,
                m.from_state,
                m.to_account_code,
                m.to_state,
            ]
            for m in record.movements
        ],
        "cash_lines": [[c.party_name, c.amount_fen] for c in record.cash_lines],
        "prev_hash": prev_hash,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def compute_entry_hash(record: JournalRecord, prev_hash: str) -> str:
    """SHA-256 (hex) of the entry's canonical content chained to ``prev_hash``."""
    return hashlib.sha256(canonical_content(record, prev_hash)).hexdigest()


@dataclass(frozen=True, slots=True)
class BrokenLink:
    """The first entry whose stored hash or link does not match its content."""

    seq: int
    reason: str


def find_broken_link(records: Iterable[JournalRecord]) -> tuple[int, BrokenLink | None]:
    """Recompute the chain; return the number of entries checked and the first broken link.

    ``reason`` is one of ``sequence`` (an entry is missing or out of order), ``link`` (the stored
    previous hash is not the previous entry's hash) or ``content`` (the entry was edited).
    """
    expected_prev, expected_seq, count = GENESIS_HASH, 1, 0
    for record in records:
        count += 1
        if record.seq != expected_seq:
            return count, BrokenLink(record.seq, "sequence")
        if record.prev_hash != expected_prev:
            return count, BrokenLink(record.seq, "link")
        if compute_entry_hash(record, expected_prev) != record.entry_hash:
            return count, BrokenLink(record.seq, "content")
        expected_prev, expected_seq = record.entry_hash, expected_seq + 1
    return count, None


def checkpoint_message(seq: int, entry_hash: str, signed_at: dt.datetime) -> bytes:
    """Bytes a registry checkpoint signature covers: the chain head at ``seq`` and when it was signed."""
    return f"{CHECKPOINT_DOMAIN}|{seq}|{entry_hash}|{utc_text(signed_at)}".encode("ascii")
