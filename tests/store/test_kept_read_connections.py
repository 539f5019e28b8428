"""Kept read connections (sign-in and consent checks) survive the server dropping them."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError

from citycarbon.store.db import PreparedQuery, get_engine, read_connection, read_once

#: Read through the driver as the credential and consent checks read (not through Core).
BACKEND = PreparedQuery(select(func.pg_backend_pid()))

KILL = (
    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
    "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
)


def _backend(connection: Connection) -> int:
    return int(BACKEND.rows(connection)[0][0])


def _backend_through_core(connection: Connection) -> int:
    return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _keep_three(url: str) -> set[int]:
    """Open three kept connections at once, so three are on the free list afterwards."""
    with read_connection(url) as a, read_connection(url) as b, read_connection(url) as c:
        return {_backend(a), _backend(b), _backend(c)}


def _end_every_other_session(url: str, kept: set[int]) -> None:
    """End the kept connections' sessions (as a restart would) and wait until they are gone."""
    gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"
    with get_engine(url).connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        assert connection.execute(text(KILL)).all()
        # pg_terminate_backend only signals: the sessions end a moment later (autocommit, so
        # each look at pg_stat_activity is a new snapshot).
        for _ in range(500):
            if connection.execute(text(gone), {"pids": sorted(kept)}).scalar_one() == 0:
                return
            time.sleep(0.01)
    pytest.fail("the terminated sessions did not end within 5 s")


def test_a_read_after_the_server_dropped_every_kept_connection_succeeds(pg_database: str) -> None:
    kept = _keep_three(pg_database)
    _end_every_other_session(pg_database, kept)
    backend = read_once(pg_database, _backend)  # the first kept connection is dead: read again
    assert backend not in kept
    # The other dead ones were discarded with it, so the next reads need no second try either.
    for _ in range(3):
        with read_connection(pg_database) as connection:
            assert _backend(connection) not in kept


def test_a_core_read_recovers_the_same_way(pg_database: str) -> None:
    kept = _keep_three(pg_database)
    _end_every_other_session(pg_database, kept)
    assert read_once(pg_database, _backend_through_core) not in kept


def test_without_read_once_the_dead_connection_fails_once_and_is_replaced(pg_database: str) -> None:
    _end_every_other_session(pg_database, _keep_three(pg_database))
    with pytest.raises(DBAPIError) as raised, read_connection(pg_database) as connection:
        _backend(connection)
    assert raised.value.connection_invalidated
    with read_connection(pg_database) as connection:  # a fresh one, not another dead one
        assert _backend(connection) > 0


def test_an_error_that_is_not_a_disconnect_is_not_retried(pg_database: str) -> None:
    calls = []

    def bad(connection: Connection) -> int:
        calls.append(1)
        return int(connection.execute(text("SELECT 1 / 0")).scalar_one())

    with pytest.raises(DBAPIError) as raised:
        read_once(pg_database, bad)
    assert not raised.value.connection_invalidated
    assert len(calls) == 1
