"""Auctions: reserve and increment, bids after the close refused, sealed first price, DvP, benefit split."""

from __future__ import annotations

import datetime as dt

import pytest

from citycarbon.domain.sinks.auction import AuctionKind
from citycarbon.domain.sinks.errors import InsufficientUnits, RegistryError
from citycarbon.services import registry_accounts, registry_auctions, registry_operations
from citycarbon.services.registry_accounts import account_holdings
from citycarbon.services.registry_auctions import AuctionSpec
from citycarbon.services.registry_verify import verify_registry

from .conftest import ACTOR, Registry

OPEN = dt.datetime(2023, 10, 31, 9, tzinfo=dt.UTC)
CLOSE = OPEN + dt.timedelta(hours=2)


def held(url: str, account: str, state: str = "active") -> int:
    return sum(h.quantity_tco2e for h in account_holdings(url, account) if h.state == state)


def auction(url: str, kind: AuctionKind = AuctionKind.ENGLISH, code: str = "BC-1") -> str:
    spec = AuctionSpec(code, kind, "COOP", "MUSSEL-01", 2023, 2223, 8_000_000, 50_000, OPEN, CLOSE, 72)
    registry_auctions.create_auction(url, spec, ACTOR)
    return code


def at(minutes: int) -> dt.datetime:
    return OPEN + dt.timedelta(minutes=minutes)


def test_english_auction_settles_only_on_payment_then_splits_proceeds(registry: Registry) -> None:
    url = registry.url
    code = auction(url)
    assert held(url, "COOP", "escrow") == 2223
    with pytest.raises(InsufficientUnits):  # escrowed units cannot be sold twice
        registry_operations.transfer_units(url, "COOP", "BUYER-B", 1, ACTOR)
    with pytest.raises(RegistryError):
        registry_auctions.place_bid(url, code, "BUYER-A", 7_999_900, ACTOR, at(1))  # below reserve
    registry_auctions.place_bid(url, code, "BUYER-A", 9_000_000, ACTOR, at(5))
    with pytest.raises(RegistryError):
        registry_auctions.place_bid(url, code, "BUYER-B", 9_049_900, ACTOR, at(6))  # below the increment
    registry_auctions.place_bid(url, code, "BUYER-B", 10_000_000, ACTOR, at(7))
    registry_auctions.place_bid(url, code, "BUYER-A", 10_050_000, ACTOR, at(8))
    registry_accounts.open_account(url, "STRANGER", "unapproved", ACTOR)
    with pytest.raises(RegistryError):
        registry_auctions.place_bid(url, code, "STRANGER", 20_000_000, ACTOR, at(9))
    with pytest.raises(RegistryError):
        registry_auctions.close_auction(url, code, ACTOR, at(60))  # not yet closed
    with pytest.raises(RegistryError):
        registry_auctions.place_bid(url, code, "BUYER-B", 11_000_000, ACTOR, CLOSE)  # bid after the close
    assert registry_auctions.close_auction(url, code, ACTOR, CLOSE) == "BUYER-A"
    assert held(url, "BUYER-A") == 0  # nothing moves before payment
    with pytest.raises(RegistryError):
        registry_auctions.split_benefit(url, code, ACTOR)  # not settled yet
    registry_auctions.confirm_payment(url, code, ACTOR, CLOSE + dt.timedelta(hours=1))
    assert (held(url, "BUYER-A"), held(url, "COOP", "escrow")) == (2223, 0)
    shares = {a.party_name: a.amount_fen for a in registry_auctions.split_benefit(url, code, ACTOR)}
    assert sum(shares.values()) == 10_050_000 and shares["FUND"] == 4_020_000 and shares["王"] == 1_413_706
    with pytest.raises(RegistryError):
        registry_auctions.split_benefit(url, code, ACTOR)
    assert verify_registry(url).ok


def test_unpaid_lot_returns_to_the_seller_after_the_deadline(registry: Registry) -> None:
    url = registry.url
    code = auction(url)
    registry_auctions.place_bid(url, code, "BUYER-A", 8_000_000, ACTOR, at(5))
    registry_auctions.close_auction(url, code, ACTOR, CLOSE)
    deadline = CLOSE + dt.timedelta(hours=72)
    with pytest.raises(RegistryError):
        registry_auctions.lapse_unpaid(url, code, ACTOR, deadline)  # not lapsed yet
    with pytest.raises(RegistryError):
        registry_auctions.confirm_payment(url, code, ACTOR, deadline + dt.timedelta(seconds=1))
    registry_auctions.lapse_unpaid(url, code, ACTOR, deadline + dt.timedelta(seconds=1))
    assert (held(url, "COOP"), held(url, "BUYER-A")) == (2223, 0)
    with pytest.raises(RegistryError):
        registry_auctions.confirm_payment(url, code, ACTOR, deadline)
    assert verify_registry(url).ok


def test_sealed_bid_first_price_and_unsold_lot(registry: Registry) -> None:
    url = registry.url
    code = auction(url, AuctionKind.SEALED)
    registry_auctions.place_bid(url, code, "BUYER-A", 9_500_000, ACTOR, at(5))
    registry_auctions.place_bid(url, code, "BUYER-B", 9_400_000, ACTOR, at(6))
    with pytest.raises(RegistryError):
        registry_auctions.place_bid(url, code, "BUYER-B", 9_900_000, ACTOR, at(7))  # one sealed bid each
    assert registry_auctions.close_auction(url, code, ACTOR, CLOSE) == "BUYER-A"
    registry_auctions.confirm_payment(url, code, ACTOR, CLOSE)
    assert held(url, "BUYER-A") == 2223
    registry_operations.transfer_units(url, "BUYER-A", "COOP", 2223, ACTOR)
    unsold = auction(url, code="BC-2")
    assert registry_auctions.close_auction(url, unsold, ACTOR, CLOSE) is None
    assert held(url, "COOP") == 2223
    assert verify_registry(url).ok
