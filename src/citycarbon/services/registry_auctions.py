"""Auctions with delivery versus payment, and the benefit split of their proceeds.

Creating an auction moves the lot into escrow (still the seller's, but no longer transferable);
closing picks the winner; units reach the winner only when the centre confirms the payment,
and go back to the seller when the payment deadline passes. Time is a parameter (``now``) so
the rules can be tested without waiting.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.clock import as_utc
from citycarbon.domain.sinks.auction import (
    AuctionKind,
    AuctionStatus,
    AuctionTerms,
    Bid,
    check_bid,
    winning_bid,
)
from citycarbon.domain.sinks.benefit import Allocation, split_proceeds
from citycarbon.domain.sinks.blocks import UnitState, check_quantity
from citycarbon.domain.sinks.errors import MSG_NOT_APPROVED, RegistryError
from citycarbon.domain.sinks.journal import CashLine, JournalRecord, UnitMovement
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import (
    RegistryConflict,
    RegistryNotFound,
    actor_of,
    check_holder,
)
from citycarbon.services.registry_accounts import AccountRef, find_accounts
from citycarbon.services.registry_journal import append_entry
from citycarbon.services.registry_projects import find_project, project_participants
from citycarbon.services.registry_tx import run_in_registry_transaction, utc_now
from citycarbon.services.registry_units import Destination, UnitFilter, move_units
from citycarbon.store.db import unit_of_work
from citycarbon.store.registry_tables import SinkAccount, SinkAuction, SinkBid, SinkProject

MSG_UNKNOWN_AUCTION = "No auction {auction}"
MSG_AUCTION_STATUS = "Auction {auction} is {status}, not {expected}"
MSG_NOT_CLOSED_YET = "Auction {auction} closes at {closes_at}; it cannot be closed earlier"
MSG_PAYMENT_LATE = "Payment for auction {auction} was due by {due_at}; the units went back to the seller"
MSG_PAYMENT_NOT_DUE = "Payment for auction {auction} is due by {due_at}; it has not lapsed yet"
MSG_ALREADY_SPLIT = "The proceeds of auction {auction} were already split"
MSG_AUCTION_EXISTS = "Auction {auction} already exists"


@dataclass(frozen=True, slots=True)
class AuctionSpec:
    """Terms of a new auction: lot (project, vintage, quantity), prices [fen] and times (UTC)."""

    auction_code: str
    kind: AuctionKind
    seller_account_code: str
    project_code: str
    vintage_year: int
    quantity_tco2e: int
    reserve_price_fen: int
    min_increment_fen: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    payment_hours: int = 72


def _auction(session: Session, code: str) -> SinkAuction:
    auction = session.scalars(
        select(SinkAuction).where(SinkAuction.auction_code == code).with_for_update()
    ).first()
    if auction is None:
        raise RegistryNotFound(MSG_UNKNOWN_AUCTION, auction=code)
    return auction


def _require(auction: SinkAuction, expected: AuctionStatus) -> None:
    if auction.status != expected:
        raise RegistryConflict(
            MSG_AUCTION_STATUS, auction=auction.auction_code, status=auction.status, expected=expected.value
        )


def _ref(session: Session, account_id: int) -> AccountRef:
    account = session.get_one(SinkAccount, account_id)
    return AccountRef(account.id, account.account_code, account.is_approved_bidder)


def _event(
    session: Session,
    auction: SinkAuction,
    event: str,
    actor: str,
    note: str,
    movements: tuple[UnitMovement, ...] = (),
    cash: tuple[CashLine, ...] = (),
) -> int:
    record = JournalRecord(
        0, event, utc_now(), actor, f"auction:{auction.auction_code}", note, movements, cash
    )
    return append_entry(session, record)


def create_auction(url: str, spec: AuctionSpec, actor: str, *, caller: Caller | None = None) -> int:
    """Create an auction and put its lot in escrow; return the auction id.

    An API caller without ``registry:manage`` may only auction units of its own account.
    """
    check_quantity(spec.quantity_tco2e)
    actor = actor_of(caller, actor)

    def work(session: Session) -> int:
        seller = find_accounts(session, [spec.seller_account_code])[spec.seller_account_code]
        check_holder(caller, seller.code, seller.organisation_id)
        if session.scalars(
            select(SinkAuction.id).where(SinkAuction.auction_code == spec.auction_code)
        ).first():
            raise RegistryConflict(MSG_AUCTION_EXISTS, auction=spec.auction_code)
        project = find_project(session, spec.project_code)
        auction = SinkAuction(
            auction_code=spec.auction_code,
            auction_kind=spec.kind.value,
            seller_account_id=seller.id,
            project_id=project.id,
            vintage_year=spec.vintage_year,
            quantity_tco2e=spec.quantity_tco2e,
            reserve_price_fen=spec.reserve_price_fen,
            min_increment_fen=spec.min_increment_fen,
            opens_at=spec.opens_at,
            closes_at=spec.closes_at,
            payment_hours=spec.payment_hours,
            status=AuctionStatus.OPEN.value,
        )
        session.add(auction)
        session.flush()
        escrow = Destination(seller, UnitState.ESCROW, auction_id=auction.id)
        where = UnitFilter(project.id, spec.vintage_year)
        moved = move_units(session, seller, UnitState.ACTIVE, escrow, spec.quantity_tco2e, where)
        note = f"{spec.kind.value}, reserve {spec.reserve_price_fen} fen, closes {spec.closes_at.isoformat()}"
        _event(session, auction, "auction_created", actor, note, movements=moved)
        return auction.id

    return run_in_registry_transaction(url, work)


def _terms(auction: SinkAuction) -> AuctionTerms:
    return AuctionTerms(
        auction.auction_code,
        AuctionKind(auction.auction_kind),
        auction.reserve_price_fen,
        auction.min_increment_fen,
        as_utc(auction.opens_at),
        as_utc(auction.closes_at),
    )


def _bids(session: Session, auction: SinkAuction) -> list[Bid]:
    rows = session.execute(
        select(SinkBid, SinkAccount.account_code)
        .join(SinkAccount, SinkAccount.id == SinkBid.bidder_account_id)
        .where(SinkBid.auction_id == auction.id)
        .order_by(SinkBid.id)
    ).all()
    return [Bid(code, bid.amount_fen, as_utc(bid.placed_at)) for bid, code in rows]


def place_bid(
    url: str,
    auction_code: str,
    bidder_code: str,
    amount_fen: int,
    actor: str,
    now: dt.datetime | None = None,
    *,
    caller: Caller | None = None,
) -> int:
    """Place a bid for the whole lot; refused after the close, below the minimum, or unapproved.

    An API caller without ``registry:manage`` may only bid for its own account.
    """
    actor = actor_of(caller, actor)

    def work(session: Session) -> int:
        bidder = find_accounts(session, [bidder_code])[bidder_code]
        check_holder(caller, bidder.code, bidder.organisation_id)
        auction = _auction(session, auction_code)
        _require(auction, AuctionStatus.OPEN)
        if not bidder.is_approved_bidder:
            raise RegistryError(MSG_NOT_APPROVED, account=bidder_code)
        bid = Bid(bidder_code, amount_fen, now or utc_now())
        check_bid(_terms(auction), _bids(session, auction), bid)
        row = SinkBid(
            auction_id=auction.id, bidder_account_id=bidder.id, amount_fen=amount_fen, placed_at=bid.placed_at
        )
        session.add(row)
        session.flush()
        # A sealed bid's amount stays out of the public journal until the auction closes.
        note = (
            "sealed bid" if auction.auction_kind == AuctionKind.SEALED else f"{bidder_code} {amount_fen} fen"
        )
        _event(session, auction, "bid", actor, note)
        return row.id

    return run_in_registry_transaction(url, work)


def close_auction(
    url: str,
    auction_code: str,
    actor: str,
    now: dt.datetime | None = None,
    *,
    caller: Caller | None = None,
) -> str | None:
    """Close bidding: pick the winner (awaiting payment) or return an unsold lot; return the winner."""
    actor = actor_of(caller, actor)

    def work(session: Session) -> str | None:
        auction = _auction(session, auction_code)
        _require(auction, AuctionStatus.OPEN)
        moment, terms = now or utc_now(), _terms(auction)
        if moment < terms.closes_at:
            raise RegistryError(
                MSG_NOT_CLOSED_YET, auction=auction_code, closes_at=terms.closes_at.isoformat()
            )
        winner = winning_bid(terms, _bids(session, auction))
        if winner is None:
            auction.status = AuctionStatus.UNSOLD.value
            moved = _release(session, auction, _ref(session, auction.seller_account_id))
            _event(
                session, auction, "auction_unsold", actor, "no bid at or above the reserve", movements=moved
            )
            return None
        account = find_accounts(session, [winner.bidder_code])[winner.bidder_code]
        auction.status = AuctionStatus.AWAITING_PAYMENT.value
        auction.winner_account_id, auction.winning_bid_fen = account.id, winner.amount_fen
        auction.payment_due_at = moment + dt.timedelta(hours=auction.payment_hours)
        due = auction.payment_due_at.isoformat()
        note = f"won by {winner.bidder_code} at {winner.amount_fen} fen; pay by {due}"
        _event(session, auction, "auction_closed", actor, note)
        return winner.bidder_code

    return run_in_registry_transaction(url, work)


def _release(session: Session, auction: SinkAuction, to: AccountRef) -> tuple[UnitMovement, ...]:
    seller = _ref(session, auction.seller_account_id)
    where = UnitFilter(auction.project_id, auction.vintage_year, auction.id)
    return move_units(
        session, seller, UnitState.ESCROW, Destination(to, UnitState.ACTIVE), auction.quantity_tco2e, where
    )


def confirm_payment(
    url: str,
    auction_code: str,
    actor: str,
    now: dt.datetime | None = None,
    *,
    caller: Caller | None = None,
) -> None:
    """Delivery versus payment: on confirmed payment the lot moves from escrow to the winner."""
    actor = actor_of(caller, actor)

    def work(session: Session) -> None:
        auction = _auction(session, auction_code)
        _require(auction, AuctionStatus.AWAITING_PAYMENT)
        due = as_utc(auction.payment_due_at or auction.closes_at)
        if (now or utc_now()) > due:
            raise RegistryError(MSG_PAYMENT_LATE, auction=auction_code, due_at=due.isoformat())
        winner = _ref(session, auction.winner_account_id or 0)
        moved = _release(session, auction, winner)
        auction.status, auction.settled_at = AuctionStatus.SETTLED.value, now or utc_now()
        cash = (CashLine(winner.code, auction.winning_bid_fen or 0),)
        _event(session, auction, "settlement", actor, "payment confirmed", movements=moved, cash=cash)

    run_in_registry_transaction(url, work)


def lapse_unpaid(
    url: str,
    auction_code: str,
    actor: str,
    now: dt.datetime | None = None,
    *,
    caller: Caller | None = None,
) -> None:
    """Return the lot to the seller when the winner did not pay by the deadline."""
    actor = actor_of(caller, actor)

    def work(session: Session) -> None:
        auction = _auction(session, auction_code)
        _require(auction, AuctionStatus.AWAITING_PAYMENT)
        due = as_utc(auction.payment_due_at or auction.closes_at)
        if (now or utc_now()) <= due:
            raise RegistryError(MSG_PAYMENT_NOT_DUE, auction=auction_code, due_at=due.isoformat())
        moved = _release(session, auction, _ref(session, auction.seller_account_id))
        auction.status = AuctionStatus.LAPSED.value
        _event(session, auction, "auction_lapsed", actor, "payment not confirmed in time", movements=moved)

    run_in_registry_transaction(url, work)


def split_benefit(
    url: str, auction_code: str, actor: str, *, caller: Caller | None = None
) -> list[Allocation]:
    """Split a settled auction's proceeds by the project's rule; the split is a journal entry."""
    actor = actor_of(caller, actor)

    def work(session: Session) -> list[Allocation]:
        auction = _auction(session, auction_code)
        _require(auction, AuctionStatus.SETTLED)
        if auction.benefit_split_at is not None:
            raise RegistryConflict(MSG_ALREADY_SPLIT, auction=auction_code)
        project = session.get_one(SinkProject, auction.project_id)
        percent = Fraction(str(project.participants_share_pct))
        allocations = split_proceeds(
            auction.winning_bid_fen or 0, percent, project_participants(session, project.id)
        )
        fund = _ref(session, project.fund_account_id or project.owner_account_id).code
        cash = tuple(
            CashLine(a.party_name if a.party_name != "benefit fund" else fund, a.amount_fen)
            for a in allocations
        )
        auction.benefit_split_at = utc_now()
        _event(
            session,
            auction,
            "benefit_split",
            actor,
            f"{project.participants_share_pct}% to participants",
            cash=cash,
        )
        return [Allocation(c.party_name, c.amount_fen) for c in cash]

    return run_in_registry_transaction(url, work)


@dataclass(frozen=True, slots=True)
class AuctionView:
    """An auction as its participants follow it; sealed amounts stay hidden until the close."""

    auction_code: str
    auction_kind: str
    status: str
    project_code: str
    vintage_year: int
    quantity_tco2e: int
    reserve_price_fen: int
    min_increment_fen: int
    opens_at: dt.datetime
    closes_at: dt.datetime
    bid_count: int
    highest_bid_fen: int | None
    winner_account_code: str | None
    winning_bid_fen: int | None
    payment_due_at: dt.datetime | None


def auction_view(url: str, auction_code: str) -> AuctionView:
    """The state of an auction (what the public registry shows of a sale)."""
    with unit_of_work(url) as session:
        auction = session.scalars(select(SinkAuction).where(SinkAuction.auction_code == auction_code)).first()
        if auction is None:
            raise RegistryNotFound(MSG_UNKNOWN_AUCTION, auction=auction_code)
        bids = _bids(session, auction)
        winner = _ref(session, auction.winner_account_id).code if auction.winner_account_id else None
        project = session.get_one(SinkProject, auction.project_id)
        visible = auction.auction_kind == AuctionKind.ENGLISH or auction.status != AuctionStatus.OPEN
        return AuctionView(
            auction.auction_code,
            auction.auction_kind,
            auction.status,
            project.project_code,
            auction.vintage_year,
            auction.quantity_tco2e,
            auction.reserve_price_fen,
            auction.min_increment_fen,
            as_utc(auction.opens_at),
            as_utc(auction.closes_at),
            len(bids),
            max((b.amount_fen for b in bids), default=None) if visible else None,
            winner,
            auction.winning_bid_fen,
            as_utc(auction.payment_due_at) if auction.payment_due_at else None,
        )
