"""Registry accounts: open them, approve bidders, look them up, and report their holdings."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import JournalRecord
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_tables import SinkAccount, SinkProject, SinkUnitBlock

MSG_UNKNOWN_ACCOUNT = "No registry account {account}"
MSG_ACCOUNT_EXISTS = "Registry account {account} already exists"

ACCOUNT = cast(Table, SinkAccount.__table__)
BLOCK = cast(Table, SinkUnitBlock.__table__)
PROJECT = cast(Table, SinkProject.__table__)


@dataclass(frozen=True, slots=True)
class AccountRef:
    """An account's id (for rows) and code (for the journal and users)."""

    id: int
    code: str
    is_approved_bidder: bool = False


@dataclass(frozen=True, slots=True)
class Holding:
    """Units of one project, vintage and state in an account [tCO2e]."""

    project_code: str
    vintage_year: int
    state: str
    quantity_tco2e: int


def find_accounts(session: Session, codes: Sequence[str]) -> dict[str, AccountRef]:
    """Accounts by code; raises for the first code that is not registered."""
    rows = session.execute(
        select(ACCOUNT.c.id, ACCOUNT.c.account_code, ACCOUNT.c.is_approved_bidder).where(
            ACCOUNT.c.account_code.in_(set(codes))
        )
    ).all()
    found = {row.account_code: AccountRef(row.id, row.account_code, row.is_approved_bidder) for row in rows}
    for code in codes:
        if code not in found:
            raise RegistryError(MSG_UNKNOWN_ACCOUNT, account=code)
    return found


def open_account(
    url: str, account_code: str, holder_name: str, actor: str, organisation_id: int | None = None
) -> AccountRef:
    """Open a holding account (a project owner, buyer, or benefit fund)."""

    def work(session: Session) -> AccountRef:
        if session.execute(select(ACCOUNT.c.id).where(ACCOUNT.c.account_code == account_code)).first():
            raise RegistryError(MSG_ACCOUNT_EXISTS, account=account_code)
        account = SinkAccount(
            account_code=account_code, holder_name=holder_name, organisation_id=organisation_id
        )
        session.add(account)
        session.flush()
        append_entry(session, JournalRecord(0, "account_opened", utc_now(), actor, account_code, holder_name))
        return AccountRef(account.id, account_code)

    return run_in_registry_transaction(url, work)


def approve_bidder(url: str, account_code: str, actor: str) -> None:
    """Let an account bid in auctions (the centre checks who a bidder is before it may bid)."""

    def work(session: Session) -> None:
        ref = find_accounts(session, [account_code])[account_code]
        session.get_one(SinkAccount, ref.id, with_for_update=True).is_approved_bidder = True
        append_entry(session, JournalRecord(0, "bidder_approved", utc_now(), actor, account_code, ""))

    run_in_registry_transaction(url, work)


def account_holdings(url: str, account_code: str) -> list[Holding]:
    """The account's units by project, vintage and state (summed from its blocks)."""
    with unit_of_work(url) as session:
        ref = find_accounts(session, [account_code])[account_code]
        quantity = func.sum(BLOCK.c.serial_end - BLOCK.c.serial_start + 1)
        rows = session.execute(
            select(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state, quantity.label("q"))
            .join(PROJECT, PROJECT.c.id == BLOCK.c.project_id)
            .where(BLOCK.c.account_id == ref.id)
            .group_by(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state)
            .order_by(PROJECT.c.project_code, BLOCK.c.vintage_year, BLOCK.c.state)
        ).all()
    return [Holding(r.project_code, r.vintage_year, r.state, int(r.q)) for r in rows]
