"""Project status machine, auction rules and the journal hash chain."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from citycarbon.domain.sinks.auction import (
    AuctionKind,
    AuctionTerms,
    Bid,
    check_bid,
    minimum_bid,
    winning_bid,
)
from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.journal import (
    GENESIS_HASH,
    JournalRecord,
    UnitMovement,
    compute_entry_hash,
    find_broken_link,
)
from citycarbon.domain.sinks.project import ProjectStatus, next_status

T0 = dt.datetime(2023, 10, 31, 9, tzinfo=dt.UTC)


def terms(kind: AuctionKind) -> AuctionTerms:
    return AuctionTerms("A1", kind, 8_000_000, 50_000, T0, T0 + dt.timedelta(hours=1))


def test_status_machine() -> None:
    assert next_status("P", ProjectStatus.DRAFT, ProjectStatus.SUBMITTED) is ProjectStatus.SUBMITTED
    assert next_status("P", ProjectStatus.REJECTED, ProjectStatus.SUBMITTED) is ProjectStatus.SUBMITTED
    with pytest.raises(RegistryError):
        next_status("P", ProjectStatus.DRAFT, ProjectStatus.REGISTERED)
    with pytest.raises(RegistryError):
        next_status("P", ProjectStatus.REGISTERED, ProjectStatus.WITHDRAWN)


def test_english_auction_reserve_increment_and_close() -> None:
    rules = terms(AuctionKind.ENGLISH)
    at = T0 + dt.timedelta(minutes=5)
    with pytest.raises(RegistryError):
        check_bid(rules, [], Bid("X", 7_999_999, at))
    bids = [Bid("X", 8_000_000, at)]
    assert minimum_bid(rules, bids) == 8_050_000
    with pytest.raises(RegistryError):
        check_bid(rules, bids, Bid("Y", 8_049_999, at))
    check_bid(rules, bids, Bid("Y", 8_050_000, at))
    with pytest.raises(RegistryError):
        check_bid(rules, bids, Bid("Y", 9_000_000, rules.closes_at))
    with pytest.raises(RegistryError):
        check_bid(rules, bids, Bid("Y", 9_000_000, T0 - dt.timedelta(seconds=1)))
    assert winning_bid(rules, [*bids, Bid("Y", 8_050_000, at)]) == Bid("Y", 8_050_000, at)


def test_sealed_first_price_one_bid_each_highest_wins_earliest_on_tie() -> None:
    rules = terms(AuctionKind.SEALED)
    at = T0 + dt.timedelta(minutes=1)
    bids = [
        Bid("X", 9_000_000, at),
        Bid("Y", 10_050_000, at + dt.timedelta(minutes=1)),
        Bid("Z", 10_050_000, at + dt.timedelta(minutes=2)),
    ]
    check_bid(rules, bids[:1], Bid("Y", 8_000_000, at))  # below the highest is fine when sealed
    with pytest.raises(RegistryError):
        check_bid(rules, bids, Bid("X", 11_000_000, at))
    assert winning_bid(rules, bids) == bids[1]
    assert winning_bid(rules, [Bid("X", 7_000_000, at)]) is None


def chain(count: int) -> list[JournalRecord]:
    records, prev = [], GENESIS_HASH
    for seq in range(1, count + 1):
        movement = UnitMovement("P", 2023, seq, seq, "A", "active", "B", "active")
        record = JournalRecord(seq, "transfer", T0, "t", "A>B", "", (movement,), prev_hash=prev)
        record = replace(record, entry_hash=compute_entry_hash(record, prev))
        records.append(record)
        prev = record.entry_hash
    return records


def test_chain_verifies_and_finds_the_first_broken_link() -> None:
    records = chain(5)
    assert find_broken_link(records) == (5, None)
    edited = list(records)
    edited[2] = replace(edited[2], note="changed")
    assert find_broken_link(edited)[1].seq == 3  # type: ignore[union-attr]
    assert find_broken_link(edited)[1].reason == "content"  # type: ignore[union-attr]
    dropped = records[:1] + records[2:]
    assert find_broken_link(dropped)[1].seq == 3  # type: ignore[union-attr]
    rehashed = list(records)
    rehashed[1] = replace(
        records[1],
        note="x",
        entry_hash=compute_entry_hash(replace(records[1], note="x"), records[0].entry_hash),
    )
    assert find_broken_link(rehashed)[1].seq == 3  # the next link no longer points at it  # type: ignore[union-attr]
