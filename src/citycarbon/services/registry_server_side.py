"""Transfers on PostgreSQL in one round trip: the ``sink_transfer_units`` function (migration 0009).

A transfer is the registry's hot path. Run as ORM statements it costs a pool ping, ``BEGIN``,
about eight statements and ``COMMIT`` — ten round trips and ~3 ms of client CPU; here it is one
``SELECT`` in autocommit mode, a transaction of its own, prepared by psycopg after its fifth use
on a connection. The function takes the same row locks in the same order as
:func:`citycarbon.services.registry_units.move_units` (which stays the reference and the SQLite
path), so both paths can run side by side.

The connections come from :mod:`registry_pg`. A call is retried only after a deadlock or
serialization failure, which guarantee the server did nothing; a connection lost mid-call is
never retried, since the transfer may have committed.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import psycopg

from citycarbon.domain.sinks.errors import MSG_NOT_ENOUGH_UNITS, InsufficientUnits
from citycarbon.domain.sinks.journal import UnitMovement
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import (
    MSG_NOT_YOUR_ACCOUNT,
    RegistryForbidden,
    RegistryNotFound,
    manages,
)
from citycarbon.services.registry_accounts import MSG_UNKNOWN_ACCOUNT
from citycarbon.services.registry_pg import autocommit_connection
from citycarbon.services.registry_projects import MSG_UNKNOWN_PROJECT

TRANSFER_SQL = (
    "SELECT entry_id, project_code, vintage_year, serial_start, serial_end "
    "FROM sink_transfer_units(%s, %s, %s::bigint, %s, %s::integer, %s, %s, %s, %s::bigint)"
)
#: Deadlock and serialization failure: nothing was done, run again.
RETRYABLE = {"40001", "40P01"}
ATTEMPTS = 8


def transfer_on_server(
    url: str,
    from_code: str,
    to_code: str,
    quantity: int,
    actor: str,
    project_code: str | None,
    vintage_year: int | None,
    occurred_at: dt.datetime,
    caller: Caller | None = None,
) -> tuple[int, tuple[UnitMovement, ...]]:
    """Run one transfer as one server-side transaction; return the entry id and the movements.

    Raises
    ------
    RegistryNotFound, RegistryForbidden, InsufficientUnits
        As the Python path does, for the same conditions; nothing is changed.

    """
    check = not manages(caller)
    organisation = caller.principal.organisation_id if caller is not None else None
    params = (
        from_code,
        to_code,
        quantity,
        project_code,
        vintage_year,
        actor,
        occurred_at,
        check,
        organisation,
    )
    rows = _call(url, params)
    movements = tuple(
        UnitMovement(code, vintage, start, end, from_code, "active", to_code, "active")
        for _, code, vintage, start, end in rows
    )
    return rows[0][0], movements


def _call(url: str, params: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    # ``prepare=True``: the call is parsed and planned once per connection.
    for attempt in range(ATTEMPTS):
        try:
            with autocommit_connection(url) as connection, connection.cursor() as cursor:
                cursor.execute(TRANSFER_SQL, params, prepare=True)
                return cursor.fetchall()
        except psycopg.Error as error:
            _raise_registry_error(error, params[0], params[2])
            if error.sqlstate not in RETRYABLE or attempt == ATTEMPTS - 1:
                raise
        time.sleep(0.002 * (attempt + 1))
    raise AssertionError("unreachable")  # pragma: no cover


def _raise_registry_error(error: psycopg.Error, from_code: str, wanted: int) -> None:
    sqlstate = error.sqlstate
    if sqlstate is None or not sqlstate.startswith("CR"):
        return
    subject = error.diag.message_primary or ""
    if sqlstate == "CR001":
        raise RegistryNotFound(MSG_UNKNOWN_ACCOUNT, account=subject) from None
    if sqlstate == "CR002":
        raise RegistryNotFound(MSG_UNKNOWN_PROJECT, project=subject) from None
    if sqlstate == "CR003":
        raise RegistryForbidden(MSG_NOT_YOUR_ACCOUNT, account=subject) from None
    held = int(error.diag.message_detail or 0)
    raise InsufficientUnits(MSG_NOT_ENOUGH_UNITS, account=from_code, held=held, wanted=wanted) from None
