"""PostgreSQL connections for the registry's hot paths: transfers and sealing, in autocommit.

These paths talk to psycopg directly, one statement per round trip, because SQLAlchemy's session
and statement layers cost more client time than the round trip itself at ~1,000 transfers/s.
The engine is this module's own: without ``pool_pre_ping`` (a ping would be one more round
trip per call), it pings a pooled connection only when it sat idle for longer than
:data:`IDLE_PING_S`. A forked child forgets its parent's pooled sockets.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError

#: A pooled connection idle for longer than this is pinged before use [s].
IDLE_PING_S = 10.0
_engines: dict[str, Engine] = {}


def is_postgresql(url: str) -> bool:
    """Whether ``url`` names a PostgreSQL database (the server-side paths apply)."""
    return url.startswith("postgresql")


def _engine(url: str) -> Engine:
    engine = _engines.get(url)
    if engine is None:
        engine = _engines[url] = create_engine(url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
        event.listen(engine, "checkin", _note_idle)
        event.listen(engine, "checkout", _ping_if_idle)
    return engine


def _note_idle(_dbapi_connection: Any, record: Any) -> None:
    record.info["idle_since"] = time.monotonic()


def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if time.monotonic() - record.info.get("idle_since", time.monotonic()) <= IDLE_PING_S:
        return
    try:
        dbapi_connection.cursor().execute("SELECT 1")
    except Exception as error:  # any failure: the pool replaces the connection
        raise DisconnectionError() from error


#: Engines inherited from the parent process: kept referenced, never used, so their sockets are
#: neither closed under the parent nor garbage-collected with a warning.
_inherited: list[Engine] = []


def _forget_engines_after_fork() -> None:
    _inherited.extend(_engines.values())
    _engines.clear()


def _close_engines() -> None:
    for engine in _engines.values():
        engine.dispose()


os.register_at_fork(after_in_child=_forget_engines_after_fork)
atexit.register(_close_engines)  # registered before the sealer's flush, so it runs after it


@contextmanager
def autocommit_connection(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A pooled psycopg connection in autocommit mode; a broken one is discarded, not pooled."""
    pooled = _engine(url).raw_connection()
    try:
        driver = pooled.driver_connection
        assert isinstance(driver, psycopg.Connection)
        yield driver
    except psycopg.OperationalError:
        if pooled.driver_connection is None or pooled.driver_connection.broken:
            pooled.invalidate()
        raise
    finally:
        pooled.close()  # back to the pool
