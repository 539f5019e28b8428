"""Auction rules: English (ascending) and sealed-bid first-price, with reserve and increment.

The rules are pure functions of the auction's terms, the bids so far and the time, so the
service only has to lock the auction row, ask these functions, and write what they decide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from citycarbon.domain.sinks.errors import (
    MSG_ALREADY_BID,
    MSG_AUCTION_CLOSED,
    MSG_AUCTION_NOT_OPEN,
    MSG_BID_TOO_LOW,
    RegistryError,
)


class AuctionKind(StrEnum):
    """Auction formats the registry runs."""

    ENGLISH = "english"
    SEALED = "sealed"


class AuctionStatus(StrEnum):
    """Life cycle: open → awaiting payment → settled, or → unsold / lapsed (units back to the seller)."""

    OPEN = "open"
    AWAITING_PAYMENT = "awaiting_payment"
    SETTLED = "settled"
    UNSOLD = "unsold"
    LAPSED = "lapsed"


@dataclass(frozen=True, slots=True)
class AuctionTerms:
    """Terms of one lot.

    Parameters
    ----------
    auction_code
        Public code of the auction.
    kind
        English or sealed-bid first price.
    reserve_price_fen
        Lowest acceptable price for the whole lot [fen].
    min_increment_fen
        Smallest raise over the highest bid in an English auction [fen].
    opens_at, closes_at
        Bidding window (UTC); a bid at or after ``closes_at`` is refused.

    """

    auction_code: str
    kind: AuctionKind
    reserve_price_fen: int
    min_increment_fen: int
    opens_at: dt.datetime
    closes_at: dt.datetime


@dataclass(frozen=True, slots=True)
class Bid:
    """One bid for the whole lot [fen]."""

    bidder_code: str
    amount_fen: int
    placed_at: dt.datetime


def minimum_bid(terms: AuctionTerms, bids: Sequence[Bid]) -> int:
    """Lowest acceptable next bid: the reserve, or (English) the highest bid plus the increment."""
    if terms.kind is AuctionKind.ENGLISH and bids:
        return max(b.amount_fen for b in bids) + terms.min_increment_fen
    return terms.reserve_price_fen


def check_bid(terms: AuctionTerms, bids: Sequence[Bid], bid: Bid) -> None:
    """Refuse a bid outside the window, below the minimum, or a second sealed bid."""
    if bid.placed_at >= terms.closes_at:
        raise RegistryError(
            MSG_AUCTION_CLOSED, auction=terms.auction_code, closes_at=terms.closes_at.isoformat()
        )
    if bid.placed_at < terms.opens_at:
        raise RegistryError(
            MSG_AUCTION_NOT_OPEN, auction=terms.auction_code, opens_at=terms.opens_at.isoformat()
        )
    if terms.kind is AuctionKind.SEALED and any(b.bidder_code == bid.bidder_code for b in bids):
        raise RegistryError(MSG_ALREADY_BID, bidder=bid.bidder_code, auction=terms.auction_code)
    minimum = minimum_bid(terms, bids)
    if bid.amount_fen < minimum:
        raise RegistryError(
            MSG_BID_TOO_LOW, amount=bid.amount_fen, minimum=minimum, auction=terms.auction_code
        )


def winning_bid(terms: AuctionTerms, bids: Sequence[Bid]) -> Bid | None:
    """The highest bid at or above the reserve (earliest wins a tie), or ``None`` if unsold.

    Both formats are first-price: the winner pays its own bid.
    """
    valid = [b for b in bids if b.amount_fen >= terms.reserve_price_fen and b.placed_at < terms.closes_at]
    if not valid:
        return None
    return min(valid, key=lambda b: (-b.amount_fen, b.placed_at))
