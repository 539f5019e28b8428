"""Use cases on units: issue from a verified report, transfer, retire, cancel, split a block.

Each runs in one transaction with its journal entry (see :mod:`registry_tx`): either the units
moved and the event is in the journal, or neither happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.blocks import SerialBlock, SerialRange, UnitState, check_quantity, split_block
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import JournalRecord, UnitMovement
from citycarbon.domain.sinks.project import ProjectStatus
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import RegistryConflict, RegistryNotFound, actor_of, check_holder
from citycarbon.services.registry_accounts import AccountRef, find_accounts
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_mrv import (
    MSG_REPORT_ALTERED,
    MSG_REPORT_STATUS,
    get_report,
    report_is_intact,
)
from citycarbon.services.registry_pg import is_postgresql
from citycarbon.services.registry_server_side import transfer_on_server
from citycarbon.services.registry_tx import run_in_registry_transaction, seal_after_commit, utc_now
from citycarbon.services.registry_units import (
    BLOCK,
    Destination,
    UnitFilter,
    move_serials,
    move_units,
    project_id_by_code,
)
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


#: Moves the chosen units of a locked source to a destination and returns the movements.
Mover = Callable[[Session, AccountRef, Destination], tuple[UnitMovement, ...]]


def issue_units(
    url: str, report_id: int, actor: str, quantity: int | None = None, *, caller: Caller | None = None
) -> OperationResult:
    """Issue the units a verified report allows into the project owner's account.

    Serials of a project and vintage continue where the previous issuance ended, under a lock
    on the project row, so two issuances can never hand out the same serial.
    """

    def work(session: Session) -> OperationResult:
        report = get_report(session, report_id, lock=True)
        if report.status != "verified":
            raise RegistryConflict(
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
            0,
            "issuance",
            utc_now(),
            actor_of(caller, actor),
            f"report:{report_id}",
            block.serial,
            (movement,),
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
    *,
    caller: Caller | None = None,
) -> OperationResult:
    """Transfer active units from one account to another (lowest serials first).

    An API caller without ``registry:manage`` may only transfer out of its own accounts. On
    PostgreSQL the transfer runs server-side in one round trip (:mod:`registry_server_side`).
    """
    check_quantity(quantity)
    if is_postgresql(url):
        who = actor_of(caller, actor)
        entry_id, moved = transfer_on_server(
            url, from_code, to_code, quantity, who, project_code, vintage_year, utc_now(), caller
        )
        seal_after_commit(url)
        return OperationResult(entry_id, moved)

    def mover(session: Session, source: AccountRef, target: Destination) -> tuple[UnitMovement, ...]:
        where = _filter(session, project_code, vintage_year)
        return move_units(session, source, UnitState.ACTIVE, target, quantity, where)

    return _transfer(url, from_code, to_code, actor, caller, mover)


def transfer_serials(
    url: str, from_code: str, to_code: str, serials: SerialRange, actor: str, *, caller: Caller | None = None
) -> OperationResult:
    """Transfer exactly the named serials (splitting the blocks at the range's ends)."""

    def mover(session: Session, source: AccountRef, target: Destination) -> tuple[UnitMovement, ...]:
        return move_serials(session, source, UnitState.ACTIVE, target, serials)

    return _transfer(url, from_code, to_code, actor, caller, mover)


def _transfer(
    url: str, from_code: str, to_code: str, actor: str, caller: Caller | None, mover: Mover
) -> OperationResult:
    def work(session: Session) -> OperationResult:
        accounts = find_accounts(session, [from_code, to_code])
        source = accounts[from_code]
        check_holder(caller, source.code, source.organisation_id)
        moved = mover(session, source, Destination(accounts[to_code], UnitState.ACTIVE))
        who = actor_of(caller, actor)
        record = JournalRecord(0, "transfer", utc_now(), who, f"{from_code}>{to_code}", "", moved)
        return OperationResult(append_entry(session, record), moved)

    return run_in_registry_transaction(url, work)


@dataclass(frozen=True, slots=True)
class RetirementClaim:
    """Who a retirement is for and what it claims (public), or why units are cancelled."""

    beneficiary_name: str
    purpose: str
    state: UnitState = UnitState.RETIRED


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
    *,
    caller: Caller | None = None,
) -> OperationResult:
    """Retire (or, with ``state=cancelled``, cancel) units for a beneficiary and purpose, for good.

    An API caller without ``registry:manage`` may only retire units of its own accounts.
    """
    check_quantity(quantity)

    def mover(session: Session, source: AccountRef, target: Destination) -> tuple[UnitMovement, ...]:
        where = _filter(session, project_code, vintage_year)
        return move_units(session, source, UnitState.ACTIVE, target, quantity, where)

    claim = RetirementClaim(beneficiary_name, purpose, state)
    return _retire(url, account_code, quantity, claim, actor, caller, mover)


def retire_serials(
    url: str,
    account_code: str,
    serials: SerialRange,
    claim: RetirementClaim,
    actor: str,
    *,
    caller: Caller | None = None,
) -> OperationResult:
    """Retire (or cancel) exactly the named serials for a beneficiary and purpose."""

    def mover(session: Session, source: AccountRef, target: Destination) -> tuple[UnitMovement, ...]:
        return move_serials(session, source, UnitState.ACTIVE, target, serials)

    return _retire(url, account_code, serials.quantity_tco2e, claim, actor, caller, mover)


def _retire(
    url: str,
    account_code: str,
    quantity: int,
    claim: RetirementClaim,
    actor: str,
    caller: Caller | None,
    mover: Mover,
) -> OperationResult:
    def work(session: Session) -> OperationResult:
        account = find_accounts(session, [account_code])[account_code]
        check_holder(caller, account.code, account.organisation_id)
        retirement = SinkRetirement(
            account_id=account.id,
            state=claim.state.value,
            quantity_tco2e=quantity,
            beneficiary_name=claim.beneficiary_name,
            purpose=claim.purpose,
        )
        session.add(retirement)
        session.flush()
        moved = mover(session, account, Destination(account, claim.state, retirement_id=retirement.id))
        note = f"{claim.beneficiary_name}: {claim.purpose}"
        event = "retirement" if claim.state is UnitState.RETIRED else "cancellation"
        reference = f"retirement:{retirement.id}"
        record = JournalRecord(0, event, utc_now(), actor_of(caller, actor), reference, note, moved)
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
            raise RegistryNotFound(MSG_UNKNOWN_BLOCK, block=block_id)
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
