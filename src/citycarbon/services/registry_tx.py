"""Transactions of the registry: one per use case, retried on deadlock, sealed into the chain after.

On PostgreSQL every use case locks the unit blocks it reads with ``SELECT … FOR UPDATE`` in a
fixed order (project, vintage, serial); the rare deadlock between orders that drift as blocks
are split is detected by the server and the whole use case is retried. SQLite has no row locks,
so a registry transaction takes the database's write lock before its first read instead.

Sealing (linking committed entries into the hash chain) must follow every commit promptly,
since an entry is only tamper-evident once sealed, but must not sit in the use case's own
latency. On SQLite (the embedded, single-writer default) each use case seals right after its
commit. On PostgreSQL a commit asks this process's sealer thread to seal; it runs at most every
:data:`SEAL_INTERVAL_S`, retries while another process's sealer holds the lock (that one may
have read the journal before our commit), and is flushed when the process exits.
"""

from __future__ import annotations

import atexit
import datetime as dt
import logging
import os
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from citycarbon.services.registry_journal import seal_journal, take_write_lock, try_seal_journal
from citycarbon.store.db import unit_of_work

T = TypeVar("T")

#: SQLSTATEs after which the transaction did nothing and may simply run again.
RETRYABLE = {"40001", "40P01"}
ATTEMPTS = 8
#: A process's sealer runs at most this often [s] on PostgreSQL; a committed entry waits about
#: that long before it is chained (verification, checkpoints and exports always seal first).
SEAL_INTERVAL_S = 0.2
log = logging.getLogger(__name__)


def utc_now() -> dt.datetime:
    """Current time, tz-aware UTC (style guide §3: ``_at`` columns are UTC)."""
    return dt.datetime.now(dt.UTC)


def _is_retryable(error: DBAPIError) -> bool:
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def run_in_registry_transaction(url: str, work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction, retried on deadlock or serialization failure, then seal.

    Sealing links the entries just committed into the hash chain (see :func:`seal_after_commit`).
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
    seal_after_commit(url)
    return result


def seal_after_commit(url: str) -> None:
    """Have the entries just committed sealed: now on SQLite, soon (in the background) on PostgreSQL."""
    if url.startswith("postgresql"):
        _SEALER.request(url)
    else:
        seal_journal(url, wait=False)


class _BackgroundSealer:
    """One daemon thread per process that seals the databases this process wrote to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._pending: set[str] = set()
        self._busy: set[str] = set()  # being sealed by the thread right now
        self._thread: threading.Thread | None = None

    def request(self, url: str) -> None:
        with self._lock:
            self._pending.add(url)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="registry-sealer", daemon=True)
                self._thread.start()
        self._wake.set()

    def _run(self) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            time.sleep(SEAL_INTERVAL_S)  # let commits gather into one batch
            for url in self._take(busy=True):
                self._seal(url, wait=False)
            with self._lock:
                self._busy = set()

    def _take(self, busy: bool = False) -> set[str]:
        with self._lock:
            taken, self._pending = self._pending, set()
            if busy:
                self._busy = set(taken)
        return taken

    def _seal(self, url: str, *, wait: bool) -> None:
        try:
            if try_seal_journal(url, wait=wait) is None and not wait:
                self.request(url)  # another process's sealer is at work; look again next round
        except Exception:  # a sealer error must never end the thread; the next commit retries
            log.exception("sealing the registry journal of %s failed", url)

    def flush(self) -> None:
        """Seal what this process committed before it exits.

        Pending databases, and those the thread is sealing right now: waiting for the lock lets
        its batch finish (or, if the batch is cut off when the process ends, seals it here).
        """
        pending = self._take()
        with self._lock:
            urls = self._busy | pending
        for url in sorted(urls):
            self._seal(url, wait=True)

    def forget_after_fork(self) -> None:
        self.__init__()  # type: ignore[misc]  # the parent's thread does not exist in the child


_SEALER = _BackgroundSealer()
atexit.register(_SEALER.flush)
os.register_at_fork(after_in_child=_SEALER.forget_after_fork)
