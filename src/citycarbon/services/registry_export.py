"""Signed checkpoints, journal export, and offline verification of an export with a public key.

A checkpoint is the registry's Ed25519 signature over the chain head at some sequence number.
An outsider given an exported journal and the registry's public key can recompute every hash,
replay every movement (no unit in two places, none moved that was not held) and check that the
chain passes through each signed head — without access to the database.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.clock import as_utc
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import (
    BrokenLink,
    CashLine,
    JournalRecord,
    UnitMovement,
    checkpoint_message,
    find_broken_link,
    utc_text,
)
from citycarbon.domain.sinks.replay import HoldingReplay, ReplayConflict
from citycarbon.services.registry_journal import E, load_sealed_records, seal_journal
from citycarbon.services.registry_keys import load_private_key, public_key_hex, sign, signature_is_valid
from citycarbon.services.registry_tx import utc_now
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_journal_tables import SinkCheckpoint

EXPORT_FORMAT = "citycarbon-registry-export/1"
MSG_EMPTY_JOURNAL = "The journal is empty; there is nothing to checkpoint"
MSG_NOT_AN_EXPORT = "{file} is not a citycarbon registry export"


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed chain head."""

    seq: int
    entry_hash: str
    signed_at: str
    public_key_hex: str
    signature_hex: str


def create_checkpoint(url: str, key_path: Path, note: str = "") -> Checkpoint:
    """Seal the journal and sign its head with the registry key."""
    key = load_private_key(key_path)
    seal_journal(url, wait=True)
    with unit_of_work(url) as session:
        head = session.execute(
            select(E.seq, E.entry_hash).where(E.seq.is_not(None)).order_by(E.seq.desc())
        ).first()
        if head is None:
            raise RegistryError(MSG_EMPTY_JOURNAL)
        signed_at = utc_now()
        signature = sign(key, checkpoint_message(head.seq, head.entry_hash, signed_at))
        public = public_key_hex(key.public_key())
        session.add(
            SinkCheckpoint(
                seq=head.seq,
                entry_hash=head.entry_hash,
                signed_at=signed_at,
                public_key_hex=public,
                signature_hex=signature,
                note=note,
            )
        )
    return Checkpoint(head.seq, head.entry_hash, utc_text(signed_at), public, signature)


def _record_json(record: JournalRecord) -> dict[str, Any]:
    return {
        **{k: v for k, v in asdict(record).items() if k not in ("movements", "cash_lines", "occurred_at")},
        "occurred_at": utc_text(record.occurred_at),
        "movements": [list(asdict(m).values()) for m in record.movements],
        "cash_lines": [list(asdict(c).values()) for c in record.cash_lines],
    }


def export_journal(url: str, path: Path) -> int:
    """Write the sealed journal and every checkpoint to ``path`` (JSON); return the entry count."""
    seal_journal(url, wait=True)
    with unit_of_work(url) as session:
        entries = [_record_json(record) for record in load_sealed_records(session)]
        checkpoints = [asdict(c) for c in _checkpoints(session)]
    document = {"format": EXPORT_FORMAT, "entries": entries, "checkpoints": checkpoints}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), "utf-8")
    return len(entries)


def _checkpoints(session: Session) -> list[Checkpoint]:
    rows = session.scalars(select(SinkCheckpoint).order_by(SinkCheckpoint.id))
    return [
        Checkpoint(r.seq, r.entry_hash, utc_text(as_utc(r.signed_at)), r.public_key_hex, r.signature_hex)
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ExportVerification:
    """Outcome of verifying an export offline; ``ok`` when everything checks out."""

    entries_checked: int
    broken_link: BrokenLink | None
    replay_conflict_seq: int | None
    checkpoints_valid: int
    bad_checkpoints: tuple[int, ...]
    last_signed_seq: int | None

    @property
    def ok(self) -> bool:
        """Whether chain, replay and every checkpoint signature are valid."""
        valid = self.broken_link is None and self.replay_conflict_seq is None and not self.bad_checkpoints
        return valid and self.checkpoints_valid > 0


def _parse_time(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def _parse_record(item: dict[str, Any]) -> JournalRecord:
    return JournalRecord(
        seq=item["seq"],
        event_type=item["event_type"],
        occurred_at=_parse_time(item["occurred_at"]),
        actor=item["actor"],
        reference=item["reference"],
        note=item["note"],
        movements=tuple(UnitMovement(*m) for m in item["movements"]),
        cash_lines=tuple(CashLine(*c) for c in item["cash_lines"]),
        prev_hash=item["prev_hash"],
        entry_hash=item["entry_hash"],
    )


def verify_export(path: Path, public_hex: str) -> ExportVerification:
    """Verify an exported journal with the registry's public key alone."""
    try:
        document = json.loads(path.read_text("utf-8"))
        records = [_parse_record(item) for item in document["entries"]]
    except (OSError, ValueError, KeyError, TypeError):
        raise RegistryError(MSG_NOT_AN_EXPORT, file=str(path)) from None
    if document.get("format") != EXPORT_FORMAT:
        raise RegistryError(MSG_NOT_AN_EXPORT, file=str(path))
    checked, broken = find_broken_link(records)
    conflict = None
    replay = HoldingReplay()
    try:
        for record in records:
            for movement in record.movements:
                replay.apply(record.seq, movement)
    except ReplayConflict as error:
        conflict = error.seq
    hashes = {r.seq: r.entry_hash for r in records}
    good, bad = 0, []
    for item in document["checkpoints"]:
        message = checkpoint_message(item["seq"], item["entry_hash"], _parse_time(item["signed_at"]))
        valid = item["public_key_hex"] == public_hex and signature_is_valid(
            public_hex, item["signature_hex"], message
        )
        if valid and hashes.get(item["seq"]) == item["entry_hash"]:
            good += 1
        else:
            bad.append(item["seq"])
    last = max((i["seq"] for i in document["checkpoints"] if i["seq"] not in bad), default=None)
    return ExportVerification(checked, broken, conflict, good, tuple(bad), last)
