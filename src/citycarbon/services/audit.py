"""The audit log: every outside read of an organisation's data and every write, append-only.

Entries are only ever inserted. There is no update or delete function here or anywhere in the
application, and the database itself rejects UPDATE and DELETE on ``audit_event`` with a
trigger (migration 0003), so even a bug or an operator's SQL console cannot rewrite history
silently.

Reads on the request path that must be on record before their answer leaves (a bank's look at
a consented carbon profile) go through :class:`AuditGroupCommit`: the request waits until its
event is committed, but events of concurrent requests share one transaction and one disk sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.store.db import PreparedInsert, WriterTurns, get_engine, unit_of_work
from citycarbon.store.platform_tables import AuditEvent
from citycarbon.store.tables import Organisation

MSG_AUDIT_SCOPE = "Your account may only list the audit events of its own organisation"
#: Most events one group commit writes; more waiting events go into the next transaction.
MAX_BATCH_EVENTS = 500
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One audit event as shown to the data owner."""

    event_id: int
    occurred_at: dt.datetime
    actor_username: str
    actor_organisation_name: str | None
    action: str
    resource: str
    subject_organisation_id: int | None
    purpose: str | None
    client_address: str | None


def event_values(
    caller: Caller,
    *,
    action: str,
    resource: str,
    subject_organisation_id: int | None = None,
    purpose: str | None = None,
    detail: str | None = None,
) -> dict[str, Any]:
    """Column values of one audit event by ``caller``, stamped now."""
    principal = caller.principal
    return {
        "occurred_at": dt.datetime.now(dt.UTC),
        "actor_user_id": principal.user_id,
        "actor_username": principal.username,
        "actor_organisation_id": principal.organisation_id,
        "action": action,
        "resource": resource,
        "subject_organisation_id": subject_organisation_id,
        "purpose": purpose,
        "client_address": caller.client_address,
        "detail": detail,
    }


def record_event(
    session: Session,
    caller: Caller,
    *,
    action: str,
    resource: str,
    subject_organisation_id: int | None = None,
    purpose: str | None = None,
    detail: str | None = None,
) -> None:
    """Append one event in the caller's transaction (so a rolled-back write leaves no trace)."""
    values = event_values(
        caller,
        action=action,
        resource=resource,
        subject_organisation_id=subject_organisation_id,
        purpose=purpose,
        detail=detail,
    )
    session.add(AuditEvent(**values))


MSG_AUDIT_NOT_RECORDED = (
    "This read could not be recorded in the audit log, so nothing was disclosed; try again shortly"
)


class AuditNotRecorded(CityCarbonError):
    """The group commit holding an event failed; the read it records must not be answered.

    A service fault, not the caller's: the API answers 503 with ``Retry-After``.
    """


class AuditGroupCommit:
    """Commit audit events of concurrent requests together; each request waits for its own.

    A background thread (one per process and database) takes every event waiting, inserts them
    in one transaction and commits, then wakes each waiting request. A request therefore
    answers only after its event is durable — as durable as any commit of the database: with
    SQLite's default ``synchronous=FULL`` the WAL is synced to disk on every commit — yet a
    burst of requests costs one commit and one disk sync instead of one each. No timer adds
    latency: the batch is taken when this process's turn to write comes (server processes
    take turns on SQLite, see :class:`~citycarbon.store.db.WriterTurns`), so it holds every
    event that arrived while the previous commits ran, and batches grow with the load.
    The thread keeps one connection and runs a prepared INSERT through the driver
    (:class:`~citycarbon.store.db.PreparedInsert`), so a commit holds the GIL only briefly.

    If the commit fails every request of the batch gets :class:`AuditNotRecorded` instead of
    its data. An event whose request was cancelled meanwhile is still recorded: a look that
    was never answered may be on record, but an answered one is never missing.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        #: Transactions committed so far (tests and the benchmark read it to see batching).
        self.commit_count = 0
        self._turns = WriterTurns(url)
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        # Also run in a forked child: the worker thread and the waiting requests stay behind in
        # the parent, and the child starts afresh on its first event.
        self._condition = threading.Condition()
        self._pending: list[tuple[dict[str, Any], asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._worker: threading.Thread | None = None

    async def append(self, values: dict[str, Any]) -> None:
        """Queue one event (see :func:`event_values`) and return once it is committed.

        Raises
        ------
        AuditNotRecorded
            When the transaction holding the event failed.

        """
        loop = asyncio.get_running_loop()
        future = loop.create_future()
        with self._condition:
            self._pending.append((values, loop, future))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="audit-group-commit", daemon=True)
                self._worker.start()
            self._condition.notify()
        await future

    def _run(self) -> None:
        connection: Any = None
        while True:
            with self._condition:
                while not self._pending:
                    self._condition.wait()
            error: BaseException | None = None
            batch: list[tuple[dict[str, Any], asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
            try:
                engine = get_engine(self.url)
                connection = connection or engine.raw_connection()
                # The batch is taken once this process's turn to write has come, so events
                # that arrived while other processes committed join it.
                with self._turns.turn():
                    batch = self._take()
                    _AUDIT_INSERT.run(connection, engine.dialect, [values for values, _, _ in batch])
                    connection.commit()
                self.commit_count += 1
            except Exception as failure:
                batch = batch or self._take()
                log.exception("audit group commit of %d events failed", len(batch))
                _discard(connection)
                error, connection = failure, None
            # One wake-up per event loop and batch, not one per request.
            waiting: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
            for _, loop, future in batch:
                waiting.setdefault(loop, []).append(future)
            for loop, futures in waiting.items():
                # RuntimeError: that event loop has closed, so nobody is waiting there.
                with contextlib.suppress(RuntimeError):
                    loop.call_soon_threadsafe(_settle, futures, error)

    def _take(self) -> list[tuple[dict[str, Any], asyncio.AbstractEventLoop, asyncio.Future[None]]]:
        with self._condition:
            batch = self._pending[:MAX_BATCH_EVENTS]
            del self._pending[:MAX_BATCH_EVENTS]
        return batch


_AUDIT_INSERT = PreparedInsert(AuditEvent.__table__)  # type: ignore[arg-type]


def _discard(connection: Any) -> None:
    # A failed connection may be broken: drop it, the next batch opens a new one.
    if connection is not None:
        with contextlib.suppress(Exception):
            connection.invalidate()


def _settle(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # cancelled: the client went away
            continue
        if error is None:
            future.set_result(None)
        else:
            failure = AuditNotRecorded(MSG_AUDIT_NOT_RECORDED)
            failure.__cause__ = error
            future.set_exception(failure)


@cache
def group_commit(url: str) -> AuditGroupCommit:
    """The group commit of this process for the database at ``url``."""
    return AuditGroupCommit(url)


def record_refusal(
    url: str, caller: Caller, *, resource: str, subject_organisation_id: int, reason: str
) -> None:
    """Append a refused attempt in a transaction of its own, since the request's one rolls back."""
    with unit_of_work(url) as session:
        record_event(
            session,
            caller,
            action="refused",
            resource=resource,
            subject_organisation_id=subject_organisation_id,
            detail=reason,
        )


def list_events(
    url: str, caller: Caller, organisation_id: int | None, limit: int, offset: int
) -> Page[AuditEntry]:
    """Events about an organisation's data, newest first.

    Enterprises see who looked at their own organisation; administrators see any organisation
    (or every event when ``organisation_id`` is ``None``); analysts see the events about
    organisations they could read themselves only through an administrator.

    Raises
    ------
    Forbidden
        When a non-administrator asks for another organisation's events.

    """
    principal = caller.principal
    if not principal.holds(Role.ADMIN):
        if principal.organisation_id is None or organisation_id not in (None, principal.organisation_id):
            raise Forbidden(MSG_AUDIT_SCOPE)
        organisation_id = principal.organisation_id
    limit = page_limit(limit)
    query = (
        select(AuditEvent, Organisation.name)
        .outerjoin(Organisation, Organisation.id == AuditEvent.actor_organisation_id)
        .order_by(AuditEvent.id.desc())
        .limit(limit + 1)
        .offset(offset)
    )
    if organisation_id is not None:
        query = query.where(AuditEvent.subject_organisation_id == organisation_id)
    with unit_of_work(url) as session:
        rows = [
            AuditEntry(
                e.id,
                e.occurred_at,
                e.actor_username,
                name,
                e.action,
                e.resource,
                e.subject_organisation_id,
                e.purpose,
                e.client_address,
            )
            for e, name in session.execute(query)
        ]
    return paginate(rows, limit, offset)
