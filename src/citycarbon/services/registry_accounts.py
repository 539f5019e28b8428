"""Registry accounts: open them, approve bidders, look them up, and report their holdings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.journal import JournalRecord
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import (
    RegistryConflict,
    RegistryNotFound,
    actor_of,
    check_holder,
    own_organisation,
)
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_tables import SinkAccount, SinkProject, SinkUnitBlock
from citycarbon.store.tables import Organisation

MSG_UNKNOWN_ACCOUNT = "No registry account {account}"
MSG_ACCOUNT_EXISTS = "Registry account {account} already exists"
MSG_UNKNOWN_ORGANISATION = "No organisation with id {organisation_id}"

ACCOUNT = cast(Table, SinkAccount.__table__)
BLOCK = cast(Table, SinkUnitBlock.__table__)
PROJECT = cast(Table, SinkProject.__table__)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account's id (for rows), code (for the journal and users) and owning organisation."""

    id: int
    code: str
    is_approved_bidder: bool = False
    organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class Holding:
    """Units of one project, vintage and state in an account [tCO2e]."""

    project_code: str
    vintage_year: int
    state: str
    quantity_tco2e: int


def find_accounts(session: Session, codes: Sequence[str]) -> dict[str, AccountRef]:
    """Accounts by code; raises for the first code that is not registered."""
    columns = (ACCOUNT.c.id, ACCOUNT.c.account_code, ACCOUNT.c.is_approved_bidder, ACCOUNT.c.organisation_id)
    rows = session.execute(select(*columns).where(ACCOUNT.c.account_code.in_(set(codes)))).all()
    found = {row.account_code: AccountRef(*row) for row in rows}
    for code in codes:
        if code not in found:
            raise RegistryNotFound(MSG_UNKNOWN_ACCOUNT, account=code)
    return found


def find_account_by_id(session: Session, account_id: int) -> AccountRef:
    """The account with row id ``account_id``."""
    account = session.get_one(SinkAccount, account_id)
    return AccountRef(account.id, account.account_code, account.is_approved_bidder, account.organisation_id)


def open_account(
    url: str,
    account_code: str,
    holder_name: str,
    actor: str,
    organisation_id: int | None = None,
    *,
    caller: Caller | None = None,
) -> AccountRef:
    """Open a holding account (a project owner, buyer, or benefit fund).

    An API caller without ``registry:manage`` opens accounts for its own organisation only.
    """
    owner = own_organisation(caller, organisation_id)

    def work(session: Session) -> AccountRef:
        if session.execute(select(ACCOUNT.c.id).where(ACCOUNT.c.account_code == account_code)).first():
            raise RegistryConflict(MSG_ACCOUNT_EXISTS, account=account_code)
        if owner is not None and session.get(Organisation, owner) is None:
            raise RegistryNotFound(MSG_UNKNOWN_ORGANISATION, organisation_id=owner)
        account = SinkAccount(account_code=account_code, holder_name=holder_name, organisation_id=owner)
        session.add(account)
        session.flush()
        record = JournalRecord(
            0, "account_opened", utc_now(), actor_of(caller, actor), account_code, holder_name
        )
        append_entry(session, record)
        return AccountRef(account.id, account_code, False, owner)

    return run_in_registry_transaction(url, work)


def approve_bidder(url: str, account_code: str, actor: str, *, caller: Caller | None = None) -> None:
    """Let an account bid in auctions (the centre checks who a bidder is before it may bid)."""

    def work(session: Session) -> None:
        ref = find_accounts(session, [account_code])[account_code]
        session.get_one(SinkAccount, ref.id, with_for_update=True).is_approved_bidder = True
        record = JournalRecord(0, "bidder_approved", utc_now(), actor_of(caller, actor), account_code, "")
        append_entry(session, record)

    run_in_registry_transaction(url, work)


def account_holdings(url: str, account_code: str, *, caller: Caller | None = None) -> list[Holding]:
    """The account's units by project, vintage and state (summed from its blocks).

    An API caller sees its own organisation's accounts; the centre's reads of an organisation's
    account are audited.
    """
    with unit_of_work(url) as session:
        ref = find_accounts(session, [account_code])[account_code]
        check_holder(caller, account_code, ref.organisation_id)
        own = caller is not None and caller.principal.organisation_id == ref.organisation_id
        if caller is not None and ref.organisation_id is not None and not own:
            record_event(
                session,
                caller,
                action="read",
                resource=f"registry-account:{account_code}",
                subject_organisation_id=ref.organisation_id,
            )
        quantity = func.sum(BLOCK.c.serial_end - BLOCK.c.serial_start + 1)
        rows = session.execute(
            select(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state, quantity.label("q"))
            .join(PROJECT, PROJECT.c.id == BLOCK.c.project_id)
            .where(BLOCK.c.account_id == ref.id)
            .group_by(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state)
            .order_by(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state)
        ).all()
    return [Holding(r.project_code, r.vintage_year, r.state, int(r.q)) for r in rows]
