"""Taking a named serial range out of a holding conserves units and takes exactly that range."""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from citycarbon.domain.sinks.blocks import (
    SerialBlock,
    SerialRange,
    UnitState,
    coalesce,
    move_blocks,
    take_serials,
)
from citycarbon.domain.sinks.errors import InsufficientUnits, RegistryError


def serials(blocks: list[SerialBlock]) -> list[int]:
    return sorted(s for b in blocks for s in range(b.serial_start, b.serial_end + 1))


@st.composite
def holdings(draw: st.DrawFn) -> list[SerialBlock]:
    """Disjoint blocks of one project and vintage in one account, possibly with gaps between them."""
    cuts = sorted(draw(st.sets(st.integers(1, 400), min_size=2, max_size=14)))
    gaps = [False, *draw(st.lists(st.booleans(), min_size=len(cuts), max_size=len(cuts)))]  # >= 1 block
    return [
        SerialBlock("P", 2023, a, b - 1, 1)
        for (a, b), gap in zip(pairwise(cuts), gaps, strict=False)
        if not gap
    ]


@given(holdings(), st.integers(1, 420), st.integers(0, 60))
def test_take_serials_conserves_units_or_changes_nothing(
    blocks: list[SerialBlock], start: int, length: int
) -> None:
    wanted = SerialRange("P", 2023, start, start + length)
    held = set(serials(blocks))
    asked = set(range(wanted.serial_start, wanted.serial_end + 1))
    if not asked <= held:
        with pytest.raises(InsufficientUnits):
            take_serials(blocks, wanted)
        return
    taken, left = take_serials(blocks, wanted)
    assert serials(taken) == sorted(asked)  # exactly the named serials
    assert serials(taken + left) == serials(blocks)  # nothing created or lost
    assert not set(serials(taken)) & set(serials(left))  # nothing in two places
    assert len(left) <= len(blocks) + 1  # at most one block is cut in two (a range inside it)


@given(holdings(), st.data())
def test_transfer_of_a_range_then_back_restores_the_holding(
    blocks: list[SerialBlock], data: st.DataObject
) -> None:
    block = data.draw(st.sampled_from(blocks))
    start = data.draw(st.integers(block.serial_start, block.serial_end))
    end = data.draw(st.integers(start, block.serial_end))
    taken, left = take_serials(blocks, SerialRange("P", 2023, start, end))
    moved = move_blocks(taken, 2, UnitState.ACTIVE)
    assert sum(b.quantity_tco2e for b in moved) == end - start + 1
    back, rest = take_serials(moved, SerialRange("P", 2023, start, end))
    assert rest == []
    assert coalesce(move_blocks(back, 1, UnitState.ACTIVE) + left) == coalesce(blocks)


def test_range_inside_one_block_splits_it_in_three() -> None:
    taken, left = take_serials([SerialBlock("P", 2023, 1, 2223, 1)], SerialRange("P", 2023, 101, 300))
    assert [(b.serial_start, b.serial_end) for b in taken] == [(101, 300)]
    assert [(b.serial_start, b.serial_end) for b in left] == [(1, 100), (301, 2223)]


def test_range_across_a_gap_or_another_vintage_is_refused() -> None:
    blocks = [SerialBlock("P", 2023, 1, 10, 1), SerialBlock("P", 2023, 12, 20, 1)]
    with pytest.raises(InsufficientUnits):
        take_serials(blocks, SerialRange("P", 2023, 5, 15))  # serial 11 is not held here
    with pytest.raises(InsufficientUnits):
        take_serials(blocks, SerialRange("P", 2024, 1, 5))
    with pytest.raises(RegistryError):
        SerialRange("P", 2023, 9, 3)
