"""Serial-number blocks and their algebra: split, merge, take a quantity, move.

A unit is one tonne of CO2e with a serial number; consecutive serials of one project and vintage
that sit in the same place are stored as one block ``start…end`` (inclusive). Every operation
here conserves units: the blocks out cover exactly the serials in, no more and no fewer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from citycarbon.domain.sinks.errors import (
    MSG_BAD_QUANTITY,
    MSG_BAD_SERIALS,
    MSG_NOT_ADJACENT,
    MSG_NOT_ENOUGH_UNITS,
    MSG_SERIALS_NOT_HELD,
    MSG_SPLIT_OUTSIDE,
    InsufficientUnits,
    RegistryError,
)

#: Registry prefix of serial numbers (China, Taizhou carbon management service centre).
REGISTRY_PREFIX = "CN-TZ"


class UnitState(StrEnum):
    """Where a unit is: every unit is in exactly one of these at a time."""

    UNISSUED = "unissued"
    ACTIVE = "active"
    ESCROW = "escrow"
    RETIRED = "retired"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class SerialBlock:
    """Consecutive serials ``serial_start…serial_end`` (inclusive) of one project and vintage.

    Parameters
    ----------
    project_code
        Registry code of the project the units were issued to.
    vintage_year
        Year of the removals the units represent.
    serial_start, serial_end
        First and last serial number; ``serial_end >= serial_start >= 1``.
    account_id
        Holding account the block sits in.
    state
        :class:`UnitState` of every unit of the block.

    """

    project_code: str
    vintage_year: int
    serial_start: int
    serial_end: int
    account_id: int
    state: UnitState = UnitState.ACTIVE

    def __post_init__(self) -> None:
        if not 1 <= self.serial_start <= self.serial_end:
            raise RegistryError(MSG_BAD_QUANTITY, quantity=self.serial_end - self.serial_start + 1)

    @property
    def quantity_tco2e(self) -> int:
        """Units in the block [tCO2e]."""
        return self.serial_end - self.serial_start + 1

    @property
    def serial(self) -> str:
        """Public serial-number range, e.g. ``CN-TZ-ZJ-MUSSEL-01-2023-000000001-000002223``."""
        return format_serial(self.project_code, self.vintage_year, self.serial_start, self.serial_end)


def format_serial(project_code: str, vintage_year: int, serial_start: int, serial_end: int) -> str:
    """The serial-number range as a registry publishes it (prefix, project, vintage, start–end)."""
    return f"{REGISTRY_PREFIX}-{project_code}-{vintage_year}-{serial_start:09d}-{serial_end:09d}"


def check_quantity(quantity: int) -> int:
    """Return ``quantity`` when it is a positive whole number of tonnes."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise RegistryError(MSG_BAD_QUANTITY, quantity=quantity)
    return quantity


def split_block(block: SerialBlock, quantity: int) -> tuple[SerialBlock, SerialBlock | None]:
    """Cut the first ``quantity`` units off ``block``: ``(head, tail)``, tail ``None`` if nothing is left."""
    check_quantity(quantity)
    if quantity > block.quantity_tco2e:
        raise RegistryError(
            MSG_SPLIT_OUTSIDE, block=block.serial, quantity=quantity, size=block.quantity_tco2e
        )
    head = replace(block, serial_end=block.serial_start + quantity - 1)
    if quantity == block.quantity_tco2e:
        return head, None
    return head, replace(block, serial_start=block.serial_start + quantity)


def can_merge(first: SerialBlock, second: SerialBlock) -> bool:
    """Whether ``second`` continues ``first`` in the same place (project, vintage, account, state)."""
    same_place = (first.project_code, first.vintage_year, first.account_id, first.state) == (
        second.project_code,
        second.vintage_year,
        second.account_id,
        second.state,
    )
    return same_place and first.serial_end + 1 == second.serial_start


def merge_blocks(first: SerialBlock, second: SerialBlock) -> SerialBlock:
    """Join two adjacent blocks held in the same place into one."""
    if not can_merge(first, second):
        raise RegistryError(MSG_NOT_ADJACENT, first=first.serial, second=second.serial)
    return replace(first, serial_end=second.serial_end)


def coalesce(blocks: Iterable[SerialBlock]) -> list[SerialBlock]:
    """Merge every run of adjacent blocks held in the same place (the canonical form of a holding)."""
    ordered = sorted(blocks, key=lambda b: (b.project_code, b.vintage_year, b.serial_start))
    result: list[SerialBlock] = []
    for block in ordered:
        if result and can_merge(result[-1], block):
            result[-1] = merge_blocks(result[-1], block)
        else:
            result.append(block)
    return result


def take_units(
    blocks: Sequence[SerialBlock], quantity: int, account_label: str = ""
) -> tuple[list[SerialBlock], list[SerialBlock]]:
    """Choose ``quantity`` units from ``blocks`` in serial order: ``(taken, left)``.

    Whole blocks are taken first-in-serial-order; only the last one is split, so a transfer
    touches as few rows as possible.

    Raises
    ------
    InsufficientUnits
        When the blocks hold fewer than ``quantity`` units.

    """
    check_quantity(quantity)
    held = sum(block.quantity_tco2e for block in blocks)
    if held < quantity:
        raise InsufficientUnits(MSG_NOT_ENOUGH_UNITS, account=account_label, held=held, wanted=quantity)
    taken: list[SerialBlock] = []
    left: list[SerialBlock] = []
    remaining = quantity
    for block in blocks:
        if remaining == 0:
            left.append(block)
            continue
        head, tail = split_block(block, min(remaining, block.quantity_tco2e))
        taken.append(head)
        remaining -= head.quantity_tco2e
        if tail is not None:
            left.append(tail)
    return taken, left


@dataclass(frozen=True, slots=True)
class SerialRange:
    """Serials ``serial_start…serial_end`` (inclusive) of one project and vintage, named by a caller.

    Examples
    --------
    >>> SerialRange("MUSSEL-01", 2023, 101, 300).quantity_tco2e
    200

    """

    project_code: str
    vintage_year: int
    serial_start: int
    serial_end: int

    def __post_init__(self) -> None:
        if not 1 <= self.serial_start <= self.serial_end:
            raise RegistryError(MSG_BAD_SERIALS, start=self.serial_start, end=self.serial_end)

    @property
    def quantity_tco2e(self) -> int:
        """Units in the range [tCO2e]."""
        return self.serial_end - self.serial_start + 1

    @property
    def serial(self) -> str:
        """Public serial-number range."""
        return format_serial(self.project_code, self.vintage_year, self.serial_start, self.serial_end)


def take_serials(
    blocks: Sequence[SerialBlock], wanted: SerialRange, account_label: str = ""
) -> tuple[list[SerialBlock], list[SerialBlock]]:
    """Cut exactly the serials of ``wanted`` out of ``blocks``: ``(taken, left)``.

    ``blocks`` are disjoint blocks of one holding place; a block that straddles an end of the
    range is split there, so ``left`` keeps the serials before and after it. ``taken`` is in
    serial order.

    Raises
    ------
    InsufficientUnits
        When some serial of the range is not in ``blocks`` (held elsewhere, or never issued).

    """
    taken: list[SerialBlock] = []
    left: list[SerialBlock] = []
    for block in sorted(blocks, key=lambda b: (b.project_code, b.vintage_year, b.serial_start)):
        same_units = (block.project_code, block.vintage_year) == (wanted.project_code, wanted.vintage_year)
        low, high = max(block.serial_start, wanted.serial_start), min(block.serial_end, wanted.serial_end)
        if not same_units or low > high:
            left.append(block)
            continue
        if block.serial_start < low:
            left.append(replace(block, serial_end=low - 1))
        taken.append(replace(block, serial_start=low, serial_end=high))
        if high < block.serial_end:
            left.append(replace(block, serial_start=high + 1))
    held = sum(block.quantity_tco2e for block in taken)
    if held != wanted.quantity_tco2e:
        raise InsufficientUnits(MSG_SERIALS_NOT_HELD, account=account_label, serial=wanted.serial, held=held)
    return taken, left


def move_blocks(blocks: Iterable[SerialBlock], account_id: int, state: UnitState) -> list[SerialBlock]:
    """The same serials placed in ``account_id`` with ``state`` (a transfer, retirement or escrow)."""
    return [replace(block, account_id=account_id, state=state) for block in blocks]
