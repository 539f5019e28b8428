"""Verify the registry: recompute the hash chain, rebuild balances from it, check signatures.

``registry verify`` answers three questions an auditor asks: has any journal entry been edited,
inserted or removed (the first broken link); do the unit blocks in the database equal what the
journal says every account holds; and are the signed checkpoints and verifier signatures valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

from sqlalchemy import Table, select, text
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.journal import BrokenLink, JournalRecord, checkpoint_message, find_broken_link
from citycarbon.domain.sinks.replay import HeldRange, HoldingReplay, ReplayConflict, normalise_ranges
from citycarbon.services.registry_journal import ENTRY, E, entry_records, load_sealed_records, seal_journal
from citycarbon.services.registry_keys import signature_is_valid
from citycarbon.services.registry_mrv import report_is_intact
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_journal_tables import SinkCheckpoint
from citycarbon.store.registry_tables import SinkAccount, SinkMonitoringReport, SinkProject, SinkUnitBlock

BLOCK = cast(Table, SinkUnitBlock.__table__)
ACCOUNT = cast(Table, SinkAccount.__table__)
PROJECT = cast(Table, SinkProject.__table__)


@dataclass(slots=True)
class VerificationReport:
    """Outcome of a verification; ``ok`` only when every check passed."""

    entries_checked: int = 0
    broken_link: BrokenLink | None = None
    replay_conflict_seq: int | None = None
    balance_mismatch: HeldRange | None = None
    checkpoints_checked: int = 0
    bad_checkpoints: list[int] = field(default_factory=list)
    reports_checked: int = 0
    bad_reports: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the chain, the balances and every signature check out."""
        return (
            self.broken_link is None
            and self.replay_conflict_seq is None
            and self.balance_mismatch is None
            and not self.bad_checkpoints
            and not self.bad_reports
        )


class _Recorder:
    """Passes records through while remembering each entry's hash (for the checkpoint check)."""

    def __init__(self, replay: HoldingReplay, report: VerificationReport) -> None:
        self.replay, self.report, self.hashes = replay, report, dict[int, str]()

    def feed(self, record: JournalRecord) -> JournalRecord:
        self.hashes[record.seq] = record.entry_hash
        if self.report.replay_conflict_seq is None:
            try:
                for movement in record.movements:
                    self.replay.apply(record.seq, movement)
            except ReplayConflict as conflict:
                self.report.replay_conflict_seq = conflict.seq
        return record


def verify_registry(url: str) -> VerificationReport:
    """Seal pending entries, then check the chain, the balances and the signatures in one snapshot."""
    seal_journal(url, wait=True)
    report, replay = VerificationReport(), HoldingReplay()
    with unit_of_work(url) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ"))
        recorder = _Recorder(replay, report)
        report.entries_checked, report.broken_link = find_broken_link(
            recorder.feed(record) for record in load_sealed_records(session)
        )
        if report.broken_link is None:
            # Entries committed after the seal above are in this snapshot, and so are their blocks.
            unsealed = session.execute(select(ENTRY).where(E.seq.is_(None)).order_by(E.id)).all()
            for _, record in entry_records(session, unsealed):
                recorder.feed(record)
            report.balance_mismatch = _first_difference(replay.holdings(), _stored_holdings(session))
        _check_checkpoints(session, recorder.hashes, report)
        _check_reports(session, report)
    return report


def _stored_holdings(session: Session) -> list[HeldRange]:
    rows = session.execute(
        select(
            PROJECT.c.project_code,
            BLOCK.c.vintage_year,
            BLOCK.c.serial_start,
            BLOCK.c.serial_end,
            ACCOUNT.c.account_code,
            BLOCK.c.state,
        )
        .join(PROJECT, PROJECT.c.id == BLOCK.c.project_id)
        .join(ACCOUNT, ACCOUNT.c.id == BLOCK.c.account_id)
    ).all()
    return normalise_ranges(HeldRange(*row) for row in rows)


def _first_difference(expected: list[HeldRange], stored: list[HeldRange]) -> HeldRange | None:
    for want, have in zip(expected, stored, strict=False):
        if want != have:
            return have
    if len(expected) != len(stored):
        return (stored if len(stored) > len(expected) else expected)[min(len(expected), len(stored))]
    return None


def _check_checkpoints(session: Session, hashes: dict[int, str], report: VerificationReport) -> None:
    for checkpoint in session.scalars(select(SinkCheckpoint).order_by(SinkCheckpoint.id)):
        report.checkpoints_checked += 1
        message = checkpoint_message(checkpoint.seq, checkpoint.entry_hash, checkpoint.signed_at)
        signed = signature_is_valid(checkpoint.public_key_hex, checkpoint.signature_hex, message)
        if not signed or hashes.get(checkpoint.seq) != checkpoint.entry_hash:
            report.bad_checkpoints.append(checkpoint.seq)


def _check_reports(session: Session, report: VerificationReport) -> None:
    reports = session.scalars(
        select(SinkMonitoringReport)
        .where(SinkMonitoringReport.status.in_(("verified", "issued")))
        .order_by(SinkMonitoringReport.id)
    )
    for monitoring in reports:
        report.reports_checked += 1
        if not report_is_intact(session, monitoring):
            report.bad_reports.append(monitoring.id)
