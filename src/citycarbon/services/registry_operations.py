"""Use cases on units: issue from a verified report, transfer, retire, cancel, split a block.

Each runs in one transaction with its journal entry (see :mod:`registry_tx`): either the units
moved and the event is in the journal, or neither happened.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.blocks import SerialBlock, UnitState, check_quantity, split_block
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import JournalRecord, UnitMovement
from citycarbon.domain.sinks.project import ProjectStatus
from citycarbon.services.registry_accounts import find_accounts
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_mrv import (
    MSG_REPORT_ALTERED,
    MSG_REPORT_STATUS,
    get_report,
    report_is_intact,
)
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.services.registry_units import BLOCK, Destination, UnitFilter, move_units, project_id_by_code
from citycarbon.store.registry_tables import SinkAccount, SinkIssuance, SinkProject, SinkRetirement

MSG_NOT_REGISTERED = "Project {project} is {status}; units are only issued to registered projects"
MSG_OVER_ISSUE = "Report {report} allows {issuable} t to be issued, not {quantity}"
MSG_UNKNOWN_BLOCK = "No unit block {block}"


@dataclass(frozen=True, slots=True)
class OperationResult:
    """The journal entry written and the serial ranges that moved."""

    entry_id: int
    movements: tuple[UnitMovement, ...]
    record_id: int | None = None


def issue_units(url: str, report_id: int, actor: str, quantity: int | None = None) -> OperationResult:
    """Issue the units a verified report allows into the project owner's account.

    Serials of a project and vintage continue where the previous issuance ended, under a lock
    on the project row, so two issuances can never hand out the same serial.
    """

    def work(session: Session) -> OperationResult:
        report = get_report(session, report_id, lock=True)
        if report.status != "verified":
            raise RegistryError(
                MSG_REPORT_STATUS, report=report_id, status=report.status, expected="verified"
            )
        if not report_is_intact(session, report):
            raise RegistryError(MSG_REPORT_ALTERED, report=report_id)
        amount = check_quantity(report.issuable_tco2e if quantity is None else quantity)
        if amount > report.issuable_tco2e:
            raise RegistryError(
                MSG_OVER_ISSUE, report=report_id, issuable=report.issuable_tco2e, quantity=amount
            )
        project = session.get_one(SinkProject, report.project_id, with_for_update=True)
        if project.status != ProjectStatus.REGISTERED:
            raise RegistryError(MSG_NOT_REGISTERED, project=project.project_code, status=project.status)
        last = session.scalar(
            select(func.max(SinkIssuance.serial_end)).where(
                SinkIssuance.project_id == project.id, SinkIssuance.vintage_year == report.vintage_year
            )
        )
        start = (last or 0) + 1
        owner = session.get_one(SinkAccount, project.owner_account_id)
        block = SerialBlock(
            project.project_code, report.vintage_year, start, start + amount - 1, owner.id, UnitState.ACTIVE
        )
        issuance = SinkIssuance(
            project_id=project.id,
            report_id=report.id,
            vintage_year=report.vintage_year,
            serial_start=block.serial_start,
            serial_end=block.serial_end,
            quantity_tco2e=amount,
        )
        session.add(issuance)
        session.execute(
            insert(BLOCK).values(
                project_id=project.id,
                vintage_year=block.vintage_year,
                serial_start=block.serial_start,
                serial_end=block.serial_end,
                account_id=owner.id,
                state=UnitState.ACTIVE.value,
            )
        )
        report.status = "issued"
        movement = UnitMovement(
            block.project_code,
            block.vintage_year,
            block.serial_start,
            block.serial_end,
            None,
            UnitState.UNISSUED.value,
            owner.account_code,
            UnitState.ACTIVE.value,
        )
        record = JournalRecord(
            0, "issuance", utc_now(), actor, f"report:{report_id}", block.serial, (movement,)
        )
        return OperationResult(append_entry(session, record), (movement,))

    return run_in_registry_transaction(url, work)


def _filter(session: Session, project_code: str | None, vintage_year: int | None) -> UnitFilter:
    return UnitFilter(project_id_by_code(session, project_code), vintage_year)


def transfer_units(
    url: str,
    from_code: str,
    to_code: str,
    quantity: int,
    actor: str,
    project_code: str | None = None,
    vintage_year: int | None = None,
) -> OperationResult:
    """Transfer active units from one account to another (lowest serials first)."""
    check_quantity(quantity)

    def work(session: Session) -> OperationResult:
        accounts = find_accounts(session, [from_code, to_code])
        target = Destination(accounts[to_code], UnitState.ACTIVE)
        where = _filter(session, project_code, vintage_year)
        moved = move_units(session, accounts[from_code], UnitState.ACTIVE, target, quantity, where)
        record = JournalRecord(0, "transfer", utc_now(), actor, f"{from_code}>{to_code}", "", moved)
        return OperationResult(append_entry(session, record), moved)

    return run_in_registry_transaction(url, work)


def retire_units(
    url: str,
    account_code: str,
    quantity: int,
    beneficiary_name: str,
    purpose: str,
    actor: str,
    project_code: str | None = None,
    vintage_year: int | None = None,
    state: UnitState = UnitState.RETIRED,
) -> OperationResult:
    """Retire (or, with ``state=cancelled``, cancel) units for a beneficiary and purpose, for good."""
    check_quantity(quantity)

    def work(session: Session) -> OperationResult:
        account = find_accounts(session, [account_code])[account_code]
        retirement = SinkRetirement(
            account_id=account.id,
            state=state.value,
            quantity_tco2e=quantity,
            beneficiary_name=beneficiary_name,
            purpose=purpose,
        )
        session.add(retirement)
        session.flush()
        target = Destination(account, state, retirement_id=retirement.id)
        where = _filter(session, project_code, vintage_year)
        moved = move_units(session, account, UnitState.ACTIVE, target, quantity, where)
        note = f"{beneficiary_name}: {purpose}"
        event = "retirement" if state is UnitState.RETIRED else "cancellation"
        record = JournalRecord(0, event, utc_now(), actor, f"retirement:{retirement.id}", note, moved)
        return OperationResult(append_entry(session, record), moved, retirement.id)

    return run_in_registry_transaction(url, work)


def split_unit_block(url: str, block_id: int, quantity: int, actor: str) -> tuple[int, int]:
    """Split a block after its first ``quantity`` units (same holder and state); return both ids.

    Splitting changes no holding, so the journal entry has no movements; it exists so that the
    block history in the public view can be followed.
    """

    def work(session: Session) -> tuple[int, int]:
        row = session.execute(select(BLOCK).where(BLOCK.c.id == block_id).with_for_update()).first()
        if row is None:
            raise RegistryError(MSG_UNKNOWN_BLOCK, block=block_id)
        block = SerialBlock("-", row.vintage_year, row.serial_start, row.serial_end, row.account_id)
        head, tail = split_block(block, quantity)
        if tail is None:
            return block_id, block_id
        session.execute(update(BLOCK).where(BLOCK.c.id == block_id).values(serial_end=head.serial_end))
        values = {**row._asdict(), "serial_start": tail.serial_start}
        values.pop("id")
        new_id: int = session.execute(insert(BLOCK).values(**values).returning(BLOCK.c.id)).scalar_one()
        note = f"block {block_id} split at {head.serial_end}"
        append_entry(session, JournalRecord(0, "split", utc_now(), actor, f"block:{block_id}", note))
        return block_id, new_id

    return run_in_registry_transaction(url, work)
