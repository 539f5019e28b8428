"""Move units between places: the routines behind transfer, retirement, cancellation and escrow.

The source account's blocks are locked (``SELECT … FOR UPDATE``) in serial order, the units are
taken with the domain's block algebra (a quantity, lowest serials first, or a named serial
range), whole blocks change place in situ and only the blocks at the edges are split; the
movements returned are what the journal records.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import Table, insert, select, tuple_, update
from sqlalchemy.orm import Session

from citycarbon.domain.sinks.blocks import SerialBlock, SerialRange, UnitState, take_serials, take_units
from citycarbon.domain.sinks.journal import UnitMovement
from citycarbon.services.registry_accounts import AccountRef
from citycarbon.services.registry_projects import find_project
from citycarbon.store.registry_tables import SinkProject, SinkUnitBlock

BLOCK = cast(Table, SinkUnitBlock.__table__)
PROJECT = cast(Table, SinkProject.__table__)
LOCK_BATCH = 32


@dataclass(frozen=True, slots=True)
class UnitFilter:
    """Which of an account's units an operation may take (all when every field is ``None``)."""

    project_id: int | None = None
    vintage_year: int | None = None
    auction_id: int | None = None


@dataclass(frozen=True, slots=True)
class LockedBlock:
    """A block row locked by this transaction."""

    block_id: int
    project_id: int
    block: SerialBlock


def lock_blocks(
    session: Session, account: AccountRef, state: UnitState, quantity: int, where: UnitFilter
) -> list[LockedBlock]:
    """Lock the account's blocks in serial order until they hold ``quantity`` units (or run out)."""
    found: list[LockedBlock] = []
    held = 0
    order = (BLOCK.c.project_id, BLOCK.c.vintage_year, BLOCK.c.serial_start)
    query = (
        select(BLOCK.c.id, PROJECT.c.project_code, *order, BLOCK.c.serial_end)
        .join(PROJECT, PROJECT.c.id == BLOCK.c.project_id)
        .where(BLOCK.c.account_id == account.id, BLOCK.c.state == state.value)
        .order_by(*order)
        .limit(LOCK_BATCH)
        .with_for_update(of=BLOCK)
    )
    if where.project_id is not None:
        query = query.where(BLOCK.c.project_id == where.project_id)
    if where.vintage_year is not None:
        query = query.where(BLOCK.c.vintage_year == where.vintage_year)
    if where.auction_id is not None:
        query = query.where(BLOCK.c.auction_id == where.auction_id)
    while held < quantity:
        batch = query if not found else query.where(tuple_(*order) > _key(found[-1]))
        rows = session.execute(batch).all()
        for row in rows:
            block = SerialBlock(
                row.project_code, row.vintage_year, row.serial_start, row.serial_end, account.id, state
            )
            found.append(LockedBlock(row.id, row.project_id, block))
            held += block.quantity_tco2e
        if len(rows) < LOCK_BATCH:
            break
    return found


def _key(locked: LockedBlock) -> tuple[int, int, int]:
    return (locked.project_id, locked.block.vintage_year, locked.block.serial_start)


@dataclass(frozen=True, slots=True)
class Destination:
    """Where moved units go, and the references they carry there."""

    account: AccountRef
    state: UnitState
    auction_id: int | None = None
    retirement_id: int | None = None


def move_units(
    session: Session,
    source: AccountRef,
    from_state: UnitState,
    target: Destination,
    quantity: int,
    where: UnitFilter = UnitFilter(),
) -> tuple[UnitMovement, ...]:
    """Move ``quantity`` units of ``source`` in ``from_state`` to ``target``; return the movements.

    Raises
    ------
    InsufficientUnits
        When the account does not hold enough matching units (nothing is changed).

    """
    locked = lock_blocks(session, source, from_state, quantity, where)
    taken, _ = take_units([item.block for item in locked], quantity, source.code)
    values = {
        "account_id": target.account.id,
        "state": target.state.value,
        "auction_id": target.auction_id,
        "retirement_id": target.retirement_id,
    }
    movements = []
    for item, piece in zip(locked, taken, strict=False):
        if piece.quantity_tco2e == item.block.quantity_tco2e:
            session.execute(update(BLOCK).where(BLOCK.c.id == item.block_id).values(**values))
        else:
            session.execute(
                update(BLOCK).where(BLOCK.c.id == item.block_id).values(serial_start=piece.serial_end + 1)
            )
            session.execute(
                insert(BLOCK).values(
                    project_id=item.project_id,
                    vintage_year=piece.vintage_year,
                    serial_start=piece.serial_start,
                    serial_end=piece.serial_end,
                    **values,
                )
            )
        movements.append(
            UnitMovement(
                piece.project_code,
                piece.vintage_year,
                piece.serial_start,
                piece.serial_end,
                source.code,
                from_state.value,
                target.account.code,
                target.state.value,
            )
        )
    return tuple(movements)


def move_serials(
    session: Session, source: AccountRef, from_state: UnitState, target: Destination, wanted: SerialRange
) -> tuple[UnitMovement, ...]:
    """Move exactly the serials of ``wanted`` held by ``source`` in ``from_state`` to ``target``.

    The blocks overlapping the range are locked in serial order; a block straddling an end of
    the range is split there, its outer part staying where it was.

    Raises
    ------
    InsufficientUnits
        When any serial of the range is not held by ``source`` in ``from_state``.

    """
    project_id = project_id_by_code(session, wanted.project_code)
    rows = session.execute(
        select(BLOCK)
        .where(
            BLOCK.c.account_id == source.id,
            BLOCK.c.state == from_state.value,
            BLOCK.c.project_id == project_id,
            BLOCK.c.vintage_year == wanted.vintage_year,
            BLOCK.c.serial_start <= wanted.serial_end,
            BLOCK.c.serial_end >= wanted.serial_start,
        )
        .order_by(BLOCK.c.serial_start)
        .with_for_update()
    ).all()
    blocks = [
        SerialBlock(wanted.project_code, r.vintage_year, r.serial_start, r.serial_end, source.id, from_state)
        for r in rows
    ]
    taken, _ = take_serials(blocks, wanted, source.code)
    values = {
        "account_id": target.account.id,
        "state": target.state.value,
        "auction_id": target.auction_id,
        "retirement_id": target.retirement_id,
    }
    for row, piece in zip(rows, taken, strict=True):
        session.execute(
            update(BLOCK)
            .where(BLOCK.c.id == row.id)
            .values(serial_start=piece.serial_start, serial_end=piece.serial_end, **values)
        )
        kept = {k: v for k, v in row._asdict().items() if k not in ("id", "serial_start", "serial_end")}
        edges = [(row.serial_start, piece.serial_start - 1), (piece.serial_end + 1, row.serial_end)]
        for start, end in edges:
            if start <= end:
                session.execute(insert(BLOCK).values(serial_start=start, serial_end=end, **kept))
    return tuple(
        UnitMovement(
            p.project_code,
            p.vintage_year,
            p.serial_start,
            p.serial_end,
            source.code,
            from_state.value,
            target.account.code,
            target.state.value,
        )
        for p in taken
    )


def project_id_by_code(session: Session, project_code: str | None) -> int | None:
    """Id of a project code (``None`` passes through); raises for an unknown code."""
    if project_code is None:
        return None
    return find_project(session, project_code).id
