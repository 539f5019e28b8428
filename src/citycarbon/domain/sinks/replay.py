"""Replay journal movements into holdings, refusing any movement of units not held where it claims.

The registry's balances must be derivable from the journal alone. Replaying every movement from
an empty registry rebuilds who holds which serials in which state; a movement whose serials are
not all in its ``from`` place is a double spend (or a forged entry) and is reported.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from citycarbon.domain.sinks.blocks import UnitState
from citycarbon.domain.sinks.journal import JournalRecord, UnitMovement


@dataclass(frozen=True, slots=True, order=True)
class HeldRange:
    """Serials of one project and vintage held in one place (account code, state)."""

    project_code: str
    vintage_year: int
    serial_start: int
    serial_end: int
    account_code: str
    state: str


class ReplayConflict(Exception):
    """A movement that moves serials its source did not hold (carries the entry's sequence number)."""

    def __init__(self, seq: int, movement: UnitMovement) -> None:
        self.seq = seq
        self.movement = movement
        super().__init__(f"entry {seq} moves serials not held in {movement.from_account_code}")


class HoldingReplay:
    """Holdings rebuilt from movements: per project and vintage, disjoint ranges sorted by start."""

    def __init__(self) -> None:
        self._starts: dict[tuple[str, int], list[int]] = {}
        self._ranges: dict[tuple[str, int], dict[int, tuple[int, str, str]]] = {}

    def _insert(self, key: tuple[str, int], start: int, end: int, account: str, state: str) -> None:
        # Keep ranges maximal: merge with an adjacent range in the same place, so a movement may
        # span serials that reached their holder in several steps.
        starts = self._starts.setdefault(key, [])
        ranges = self._ranges.setdefault(key, {})
        index = bisect.bisect_left(starts, start)
        if index < len(starts) and starts[index] == end + 1 and ranges[end + 1][1:] == (account, state):
            end = ranges.pop(end + 1)[0]
            del starts[index]
        if (
            index > 0
            and ranges[starts[index - 1]][0] == start - 1
            and ranges[starts[index - 1]][1:] == (account, state)
        ):
            start = starts[index - 1]
            ranges[start] = (end, account, state)
            return
        starts.insert(index, start)
        ranges[start] = (end, account, state)

    def _remove(self, key: tuple[str, int], start: int) -> None:
        starts = self._starts[key]
        del starts[bisect.bisect_left(starts, start)]
        del self._ranges[key][start]

    def apply(self, seq: int, movement: UnitMovement) -> None:
        """Move one range; raise :class:`ReplayConflict` if it is not held entirely by its source."""
        key = (movement.project_code, movement.vintage_year)
        start, end = movement.serial_start, movement.serial_end
        if movement.from_state == UnitState.UNISSUED:
            if self._overlaps(key, start, end):
                raise ReplayConflict(seq, movement)
            self._insert(key, start, end, movement.to_account_code, movement.to_state)
            return
        starts = self._starts.get(key, [])
        index = bisect.bisect_right(starts, start) - 1
        if index < 0:
            raise ReplayConflict(seq, movement)
        found = starts[index]
        found_end, account, state = self._ranges[key][found]
        if found_end < end or (account, state) != (movement.from_account_code, movement.from_state):
            raise ReplayConflict(seq, movement)
        self._remove(key, found)
        if found < start:
            self._insert(key, found, start - 1, account, state)
        if end < found_end:
            self._insert(key, end + 1, found_end, account, state)
        self._insert(key, start, end, movement.to_account_code, movement.to_state)

    def _overlaps(self, key: tuple[str, int], start: int, end: int) -> bool:
        starts = self._starts.get(key, [])
        index = bisect.bisect_right(starts, end) - 1
        return index >= 0 and self._ranges[key][starts[index]][0] >= start

    def holdings(self) -> list[HeldRange]:
        """Every held range, adjacent ranges in the same place merged (the canonical form)."""
        return normalise_ranges(
            HeldRange(key[0], key[1], start, end, account, state)
            for key, ranges in self._ranges.items()
            for start, (end, account, state) in ranges.items()
        )


def normalise_ranges(ranges: Iterable[HeldRange]) -> list[HeldRange]:
    """Sort ranges and merge adjacent ones in the same place, so two holdings compare equal."""
    result: list[HeldRange] = []
    for item in sorted(ranges):
        last = result[-1] if result else None
        if (
            last is not None
            and (last.project_code, last.vintage_year, last.account_code, last.state)
            == (item.project_code, item.vintage_year, item.account_code, item.state)
            and last.serial_end + 1 == item.serial_start
        ):
            result[-1] = HeldRange(
                last.project_code,
                last.vintage_year,
                last.serial_start,
                item.serial_end,
                last.account_code,
                last.state,
            )
        else:
            result.append(item)
    return result


def replay_journal(records: Iterable[JournalRecord]) -> HoldingReplay:
    """Replay every movement of ``records`` (in sequence order) from an empty registry."""
    replay = HoldingReplay()
    for record in records:
        for movement in record.movements:
            replay.apply(record.seq, movement)
    return replay
