"""``citycarbon registry auction …`` and ``split-benefit``: auctions with delivery versus payment."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Annotated

import typer

from citycarbon.cli.app import DatabaseUrl, Lang, database_url
from citycarbon.cli.registry_commands import Actor, default_actor, run, say
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.sinks.auction import AuctionKind

MSG_BAD_MONEY = "'{value}' is not an amount in CNY with at most two decimals"
MSG_BAD_TIME = "'{value}' is not an ISO 8601 date-time"
MSG_CREATED = "Auction {auction} open until {closes_at}; {quantity} t in escrow"
MSG_BID = "Bid {bid} accepted"
MSG_WON = "Auction {auction} won by {winner}; units move when payment is confirmed"
MSG_UNSOLD = "Auction {auction} closed unsold; the units are back with the seller"
MSG_SETTLED = "Payment confirmed; units delivered (auction {auction})"
MSG_LAPSED = "Payment lapsed; units returned to the seller (auction {auction})"
MSG_SHARE = "{party}: CNY {amount}"

auction_app = typer.Typer(help="Auctions / 拍卖", no_args_is_help=True)
Money = Annotated[str, typer.Argument(help="Amount in CNY, e.g. 100500 or 100500.00")]


def parse_cny(value: str) -> int:
    """An amount in CNY as whole fen; refuses fractions of a fen."""
    try:
        fen = Decimal(value.replace(",", "")) * 100
    except InvalidOperation:
        raise CityCarbonError(MSG_BAD_MONEY, value=value) from None
    if fen != fen.to_integral_value() or fen < 0:
        raise CityCarbonError(MSG_BAD_MONEY, value=value)
    return int(fen)


def parse_time(value: str | None) -> dt.datetime:
    """An ISO 8601 date-time as aware UTC (UTC assumed when no offset is given); now when ``None``."""
    if value is None:
        return dt.datetime.now(dt.UTC)
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise CityCarbonError(MSG_BAD_TIME, value=value) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)


def fen_text(fen: int) -> str:
    """Fen as a CNY amount with two decimals."""
    return f"{Decimal(fen) / 100:,.2f}"


@auction_app.command("create")
def create_command(
    code: str,
    seller: Annotated[str, typer.Option(help="Seller's account code")],
    project: Annotated[str, typer.Option(help="Project of the lot")],
    vintage: Annotated[int, typer.Option(help="Vintage of the lot")],
    quantity: Annotated[int, typer.Option(help="Lot size [t]")],
    reserve: Annotated[str, typer.Option(help="Reserve price of the lot [CNY]")],
    closes_at: Annotated[str, typer.Option(help="ISO 8601 closing time (UTC unless an offset is given)")],
    increment: Annotated[str, typer.Option(help="Minimum raise [CNY] (English auctions)")] = "0",
    kind: AuctionKind = AuctionKind.ENGLISH,
    opens_at: Annotated[str | None, typer.Option(help="ISO 8601 opening time (default now)")] = None,
    payment_hours: Annotated[int, typer.Option(help="Hours the winner has to pay")] = 72,
    db: DatabaseUrl = None,
    actor: Actor = "",
    lang: Lang = None,
) -> None:
    """Create an auction; the lot goes into escrow at once."""
    from citycarbon.services.registry_auctions import AuctionSpec, create_auction

    def call() -> int:
        spec = AuctionSpec(
            code,
            kind,
            seller,
            project,
            vintage,
            quantity,
            parse_cny(reserve),
            parse_cny(increment),
            parse_time(opens_at),
            parse_time(closes_at),
            payment_hours,
        )
        return create_auction(database_url(db), spec, actor or default_actor())

    run(lang, call)
    say(lang, MSG_CREATED, auction=code, closes_at=closes_at, quantity=quantity)


@auction_app.command("bid")
def bid_command(
    code: str, bidder: str, amount: Money, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None
) -> None:
    """Bid for the whole lot (approved bidders only; refused after the close)."""
    from citycarbon.services.registry_auctions import place_bid

    bid_id = run(
        lang, lambda: place_bid(database_url(db), code, bidder, parse_cny(amount), actor or default_actor())
    )
    say(lang, MSG_BID, bid=bid_id)


@auction_app.command("close")
def close_command(code: str, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None) -> None:
    """Close an auction at or after its closing time and name the winner."""
    from citycarbon.services.registry_auctions import close_auction

    winner = run(lang, lambda: close_auction(database_url(db), code, actor or default_actor()))
    say(lang, MSG_WON if winner else MSG_UNSOLD, auction=code, winner=winner)


@auction_app.command("confirm-payment")
def confirm_command(code: str, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None) -> None:
    """Confirm the winner's payment: the units move from escrow to the winner (DvP)."""
    from citycarbon.services.registry_auctions import confirm_payment

    run(lang, lambda: confirm_payment(database_url(db), code, actor or default_actor()))
    say(lang, MSG_SETTLED, auction=code)


@auction_app.command("settle")
def settle_command(code: str, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None) -> None:
    """After the payment deadline without payment, return the lot to the seller."""
    from citycarbon.services.registry_auctions import lapse_unpaid

    run(lang, lambda: lapse_unpaid(database_url(db), code, actor or default_actor()))
    say(lang, MSG_LAPSED, auction=code)


def split_benefit_command(auction: str, db: DatabaseUrl = None, actor: Actor = "", lang: Lang = None) -> None:
    """Split a settled auction's proceeds between participants and the fund (to the fen)."""
    from citycarbon.services.registry_auctions import split_benefit

    for allocation in run(lang, lambda: split_benefit(database_url(db), auction, actor or default_actor())):
        say(lang, MSG_SHARE, party=allocation.party_name, amount=fen_text(allocation.amount_fen))


def register(registry_app: typer.Typer) -> None:
    """Add ``auction`` and ``split-benefit`` to ``citycarbon registry``."""
    registry_app.add_typer(auction_app, name="auction")
    registry_app.command("split-benefit")(split_benefit_command)
