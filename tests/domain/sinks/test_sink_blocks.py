"""Block algebra and journal replay conserve units: no serial created, lost or held twice."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citycarbon.domain.sinks.blocks import (
    SerialBlock,
    UnitState,
    coalesce,
    format_serial,
    merge_blocks,
    move_blocks,
    split_block,
    take_units,
)
from citycarbon.domain.sinks.errors import InsufficientUnits, RegistryError
from citycarbon.domain.sinks.journal import UnitMovement
from citycarbon.domain.sinks.replay import HoldingReplay, ReplayConflict


def serials(blocks: list[SerialBlock]) -> list[int]:
    return sorted(s for b in blocks for s in range(b.serial_start, b.serial_end + 1))


@st.composite
def holdings(draw: st.DrawFn) -> list[SerialBlock]:
    """Disjoint blocks of one project and vintage in one account, in serial order."""
    cuts = sorted(draw(st.sets(st.integers(1, 400), min_size=2, max_size=12)))
    return [SerialBlock("P", 2023, a, b - 1, 1) for a, b in pairwise(cuts)]


@given(st.integers(1, 10_000), st.integers(1, 10_000), st.data())
def test_split_then_merge_is_identity(start: int, size: int, data: st.DataObject) -> None:
    block = SerialBlock("P", 2023, start, start + size - 1, 7)
    cut = data.draw(st.integers(1, size))
    head, tail = split_block(block, cut)
    assert head.quantity_tco2e == cut
    if tail is None:
        assert head == block
    else:
        assert head.quantity_tco2e + tail.quantity_tco2e == block.quantity_tco2e
        assert merge_blocks(head, tail) == block


@given(holdings(), st.data())
def test_take_units_conserves_and_takes_lowest_serials(
    blocks: list[SerialBlock], data: st.DataObject
) -> None:
    total = sum(b.quantity_tco2e for b in blocks)
    quantity = data.draw(st.integers(1, total))
    taken, left = take_units(blocks, quantity)
    assert sum(b.quantity_tco2e for b in taken) == quantity
    assert serials(taken + left) == serials(blocks)
    assert not set(serials(taken)) & set(serials(left))
    assert max(serials(taken)) < min(serials(left), default=10**9)


@given(holdings(), st.data())
def test_transfer_moves_exactly_the_quantity(blocks: list[SerialBlock], data: st.DataObject) -> None:
    quantity = data.draw(st.integers(1, sum(b.quantity_tco2e for b in blocks)))
    taken, left = take_units(blocks, quantity)
    moved = move_blocks(taken, 2, UnitState.ACTIVE)
    everything = coalesce(moved + left)
    assert serials(everything) == serials(blocks)
    assert sum(b.quantity_tco2e for b in everything if b.account_id == 2) == quantity


@given(holdings())
def test_coalesce_merges_adjacent_only(blocks: list[SerialBlock]) -> None:
    merged = coalesce(blocks)
    assert serials(merged) == serials(blocks)
    for first, second in pairwise(merged):
        assert first.serial_end + 1 < second.serial_start


def test_taking_more_than_held_changes_nothing() -> None:
    blocks = [SerialBlock("P", 2023, 1, 10, 1)]
    with pytest.raises(InsufficientUnits):
        take_units(blocks, 11)
    assert blocks == [SerialBlock("P", 2023, 1, 10, 1)]


@pytest.mark.parametrize("quantity", [0, -3, 1.5, True])
def test_quantities_are_positive_whole_tonnes(quantity: object) -> None:
    with pytest.raises(RegistryError):
        take_units([SerialBlock("P", 2023, 1, 10, 1)], quantity)  # type: ignore[arg-type]


def test_merge_refuses_a_gap_or_another_holder() -> None:
    with pytest.raises(RegistryError):
        merge_blocks(SerialBlock("P", 2023, 1, 5, 1), SerialBlock("P", 2023, 7, 9, 1))
    with pytest.raises(RegistryError):
        merge_blocks(SerialBlock("P", 2023, 1, 5, 1), SerialBlock("P", 2023, 6, 9, 2))


def test_serial_format() -> None:
    assert format_serial("MUSSEL-01", 2023, 1, 2223) == "CN-TZ-MUSSEL-01-2023-000000001-000002223"


def move(start: int, end: int, source: str | None, from_state: str, to: str, to_state: str) -> UnitMovement:
    return UnitMovement("P", 2023, start, end, source, from_state, to, to_state)


@given(st.lists(st.tuples(st.integers(1, 100), st.integers(0, 2)), min_size=1, max_size=30))
def test_replay_conserves_units(steps: list[tuple[int, int]]) -> None:
    replay = HoldingReplay()
    replay.apply(1, move(1, 100, None, "unissued", "A", "active"))
    holders = ["A", "B", "C"]
    for seq, (start, target) in enumerate(steps, start=2):
        owner = next(h for h in replay.holdings() if h.serial_start <= start <= h.serial_end)
        end = min(owner.serial_end, start + 5)
        replay.apply(seq, move(start, end, owner.account_code, owner.state, holders[target], "active"))
    held = replay.holdings()
    assert sum(h.serial_end - h.serial_start + 1 for h in held) == 100
    assert [s for h in held for s in range(h.serial_start, h.serial_end + 1)] == list(range(1, 101))


def test_replay_refuses_a_double_spend_and_a_double_issue() -> None:
    replay = HoldingReplay()
    replay.apply(1, move(1, 10, None, "unissued", "A", "active"))
    replay.apply(2, move(1, 10, "A", "active", "A", "retired"))
    with pytest.raises(ReplayConflict) as spent:
        replay.apply(3, move(5, 6, "A", "active", "B", "active"))
    assert spent.value.seq == 3
    with pytest.raises(ReplayConflict):
        replay.apply(4, move(10, 12, None, "unissued", "B", "active"))
