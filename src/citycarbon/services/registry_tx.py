"""Transactions of the registry: one per use case, retried on deadlock, sealed into the chain after.

On PostgreSQL every use case locks the unit blocks it reads with ``SELECT … FOR UPDATE`` in a
fixed order (project, vintage, serial); the rare deadlock between orders that drift as blocks
are split is detected by the server and the whole use case is retried. SQLite has no row locks,
so a registry transaction takes the database's write lock before its first read instead.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from citycarbon.services.registry_journal import seal_journal, take_write_lock
from citycarbon.store.db import unit_of_work

T = TypeVar("T")

#: SQLSTATEs after which the transaction did nothing and may simply run again.
RETRYABLE = {"40001", "40P01"}
ATTEMPTS = 8
#: A process seals at most this often [s]; entries wait that long at most before they are chained
#: (verification, checkpoints and exports always seal first, waiting for the lock).
SEAL_INTERVAL_S = 0.05
_last_seal = {"at": -1.0}


def utc_now() -> dt.datetime:
    """Current time, tz-aware UTC (style guide §3: ``_at`` columns are UTC)."""
    return dt.datetime.now(dt.UTC)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored timestamp as aware UTC (SQLite returns naive datetimes that were written as UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _is_retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def run_in_registry_transaction(url: str, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction, retried on deadlock or serialization failure, then seal.

    Sealing links the entries just committed into the hash chain (see
    :func:`citycarbon.services.registry_journal.seal_journal`); it never waits for another sealer.
    """
    for attempt in range(ATTEMPTS):
        try:
            with unit_of_work(url) as session:
                take_write_lock(session)
                result = work(session)
            break
        except DBAPIError as error:
            if not _is_retryable(error) or attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.002 * (attempt + 1))
    if time.monotonic() - _last_seal["at"] >= SEAL_INTERVAL_S:
        _last_seal["at"] = time.monotonic()
        seal_journal(url, wait=False)
    return result
