"""Deliver queued notifications by e-mail (SMTP) and webhook, with leases, retries and backoff.

Semantics, stated plainly: delivery is **at least once, with an idempotency key**. A worker

1. *claims* due messages under a lease (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, a
   conditional ``UPDATE`` per message on SQLite), so two workers never hold the same message;
2. sends each one outside any database transaction;
3. marks it ``sent`` only after the receiver accepted it (SMTP accepted the message, or the
   webhook answered 2xx); on any failure it records the error and schedules the next attempt
   after an exponential backoff. No message is ever dropped: there is no "failed" end state.

If the worker dies between 2 and 3 (or its lease runs out mid-send), the lease expires and the
message is sent again. That repeat carries the same idempotency key — the ``Idempotency-Key``
header of a webhook, the ``Message-ID`` of an e-mail — so the receiver can recognise and drop
it. "Never sent twice" therefore holds for receivers that honour the key; the platform itself
never sends a message again once it has recorded it as sent.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import smtplib
import socket
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Protocol

import httpx2
from sqlalchemy import false, func, or_, select, update

from citycarbon.domain.clock import as_utc
from citycarbon.domain.supervision.notifications import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    Channel,
    DeliveryState,
    backoff_seconds,
    message_id,
    webhook_signature,
)
from citycarbon.settings import Settings, get_settings
from citycarbon.store.case_tables import NotificationOutbox
from citycarbon.store.db import unit_of_work

log = logging.getLogger(__name__)
#: Longest error text kept on a message [characters].
MAX_ERROR_CHARS = 1000


@dataclass(frozen=True, slots=True)
class OutgoingMessage:
    """A claimed message, detached from the database while it is being sent."""

    outbox_id: int
    idempotency_key: str
    channel: str
    target: str
    subject: str
    body_json: str
    attempts: int


class Sender(Protocol):
    """Sends one message or raises; must not retry by itself (the worker schedules retries)."""

    def send(self, message: OutgoingMessage) -> None:
        """Deliver ``message`` to its target, raising on any failure."""


@dataclass(frozen=True, slots=True)
class SmtpSender:
    """E-mail through an SMTP relay, with ``Message-ID`` derived from the idempotency key."""

    host: str
    port: int
    sender: str
    message_domain: str
    timeout_seconds: float = 10.0
    starttls: bool = False
    username: str | None = None
    password: str | None = None

    def send(self, message: OutgoingMessage) -> None:
        """Hand the message to the relay; raises :class:`smtplib.SMTPException` or ``OSError``."""
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = message.target
        mail["Subject"] = message.subject
        mail["Message-ID"] = message_id(message.idempotency_key, self.message_domain)
        mail["Date"] = format_datetime(dt.datetime.now(dt.UTC))
        mail[IDEMPOTENCY_HEADER] = message.idempotency_key
        body = json.loads(message.body_json)
        mail.set_content(
            message.subject + "\n\n" + json.dumps(body, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        )
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(mail)


@dataclass(frozen=True, slots=True)
class WebhookSender:
    """HTTP POST of the JSON body, signed with HMAC-SHA256 over ``"<timestamp>.<body>"``."""

    secret: str
    timeout_seconds: float = 10.0

    def send(self, message: OutgoingMessage) -> None:
        """POST the body; any answer other than 2xx (or a network error) raises."""
        body = message.body_json.encode("utf-8")
        timestamp = int(time.time())
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            IDEMPOTENCY_HEADER: message.idempotency_key,
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: webhook_signature(self.secret, timestamp, body),
        }
        response = httpx2.post(message.target, content=body, headers=headers, timeout=self.timeout_seconds)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"webhook answered HTTP {response.status_code}")


def default_senders(settings: Settings | None = None) -> dict[str, Sender]:
    """The SMTP and webhook senders configured in the settings."""
    s = settings or get_settings()
    return {
        Channel.EMAIL.value: SmtpSender(
            s.smtp_host,
            s.smtp_port,
            s.smtp_from,
            s.notify_message_domain,
            s.notify_timeout_seconds,
            s.smtp_starttls,
            s.smtp_username,
            s.smtp_password,
        ),
        Channel.WEBHOOK.value: WebhookSender(s.notify_webhook_secret, s.notify_timeout_seconds),
    }


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What one pass of the worker did."""

    claimed: int
    sent: int
    failed: int


def worker_name() -> str:
    """A name unique to this worker process (host, pid and a random part)."""
    return f"{socket.gethostname()[:30]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def claim_due(
    url: str, worker: str, *, now: dt.datetime, batch: int, lease_seconds: int
) -> list[OutgoingMessage]:
    """Lease up to ``batch`` due messages to ``worker`` and return them (one short transaction)."""
    lease_until = now + dt.timedelta(seconds=lease_seconds)
    due = (
        NotificationOutbox.state == DeliveryState.PENDING.value,
        NotificationOutbox.next_attempt_at <= now,
        or_(NotificationOutbox.lease_until.is_(None), NotificationOutbox.lease_until < now),
    )
    with unit_of_work(url) as session:
        candidates = (
            select(NotificationOutbox.id)
            .where(*due)
            .order_by(NotificationOutbox.next_attempt_at, NotificationOutbox.id)
            .limit(batch)
        )
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
            if ids:
                session.execute(
                    update(NotificationOutbox)
                    .where(NotificationOutbox.id.in_(ids))
                    .values(lease_owner=worker, lease_until=lease_until)
                    .execution_options(synchronize_session=False)
                )
        else:
            # SQLite has no row locks: a write that matches nothing first takes the database
            # write lock, so the candidates read next are not being claimed by anyone else, and
            # each claim is still a conditional UPDATE that only succeeds while unleased.
            session.execute(
                update(NotificationOutbox)
                .where(false())
                .values(lease_owner=None)
                .execution_options(synchronize_session=False)
            )
            ids = []
            for outbox_id in session.scalars(candidates).all():
                won = session.execute(
                    update(NotificationOutbox)
                    .where(NotificationOutbox.id == outbox_id, *due)
                    .values(lease_owner=worker, lease_until=lease_until)
                    .execution_options(synchronize_session=False)
                )
                if won.rowcount:  # type: ignore[attr-defined]
                    ids.append(outbox_id)
        if not ids:
            return []
        rows = session.scalars(
            select(NotificationOutbox).where(NotificationOutbox.id.in_(ids)).order_by(NotificationOutbox.id)
        ).all()
        return [
            OutgoingMessage(r.id, r.idempotency_key, r.channel, r.target, r.subject, r.body_json, r.attempts)
            for r in rows
        ]


def _mark_sent(url: str, message: OutgoingMessage, worker: str, at: dt.datetime) -> None:
    with unit_of_work(url) as session:
        marked = session.execute(
            update(NotificationOutbox)
            .where(NotificationOutbox.id == message.outbox_id, NotificationOutbox.lease_owner == worker)
            .values(
                state=DeliveryState.SENT.value,
                sent_at=at,
                attempts=NotificationOutbox.attempts + 1,
                lease_owner=None,
                lease_until=None,
                last_error=None,
            )
            .execution_options(synchronize_session=False)
        )
        if not marked.rowcount:  # type: ignore[attr-defined]
            # Our lease ran out mid-send and another worker took the message over: it will be
            # sent again with the same idempotency key, which the receiver deduplicates.
            log.warning("lease on notification %s lost before it was marked sent", message.outbox_id)


def _mark_failed(
    url: str, message: OutgoingMessage, worker: str, at: dt.datetime, error: str, settings: Settings
) -> None:
    attempts = message.attempts + 1
    wait = backoff_seconds(
        attempts, settings.notify_backoff_base_seconds, settings.notify_backoff_cap_seconds
    )
    with unit_of_work(url) as session:
        session.execute(
            update(NotificationOutbox)
            .where(NotificationOutbox.id == message.outbox_id, NotificationOutbox.lease_owner == worker)
            .values(
                attempts=attempts,
                next_attempt_at=at + dt.timedelta(seconds=wait),
                last_error=error[:MAX_ERROR_CHARS],
                lease_owner=None,
                lease_until=None,
            )
            .execution_options(synchronize_session=False)
        )


def deliver_due(
    url: str,
    *,
    senders: Mapping[str, Sender] | None = None,
    worker: str | None = None,
    now: dt.datetime | None = None,
    settings: Settings | None = None,
) -> DeliveryReport:
    """One pass: claim the due messages, send each, mark each sent or scheduled for retry."""
    s = settings or get_settings()
    channels = senders if senders is not None else default_senders(s)
    name = worker or worker_name()
    at = now or dt.datetime.now(dt.UTC)
    claimed = claim_due(url, name, now=at, batch=s.notify_batch_size, lease_seconds=s.notify_lease_seconds)
    sent = failed = 0
    for message in claimed:
        sender = channels.get(message.channel)
        try:
            if sender is None:
                raise RuntimeError(f"no sender for channel {message.channel}")
            sender.send(message)
        except Exception as error:  # any failure is retried later; nothing is lost
            failed += 1
            log.info(
                "notification %s failed (attempt %s): %s", message.outbox_id, message.attempts + 1, error
            )
            _mark_failed(
                url, message, name, now or dt.datetime.now(dt.UTC), f"{type(error).__name__}: {error}", s
            )
            continue
        sent += 1
        _mark_sent(url, message, name, now or dt.datetime.now(dt.UTC))
    return DeliveryReport(len(claimed), sent, failed)


def run_delivery_worker(
    url: str,
    *,
    stop: threading.Event | None = None,
    senders: Mapping[str, Sender] | None = None,
    settings: Settings | None = None,
) -> DeliveryReport:
    """Deliver until ``stop`` is set, polling every ``notify_poll_seconds``; return the totals."""
    s = settings or get_settings()
    name = worker_name()
    halt = stop or threading.Event()
    claimed = sent = failed = 0
    while not halt.is_set():
        report = deliver_due(url, senders=senders, worker=name, settings=s)
        claimed, sent, failed = claimed + report.claimed, sent + report.sent, failed + report.failed
        if report.claimed < s.notify_batch_size:
            halt.wait(s.notify_poll_seconds)
    return DeliveryReport(claimed, sent, failed)


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """Counts of the outbox for operators: pending (of which due now) and sent."""

    pending: int
    due: int
    sent: int
    oldest_pending_at: dt.datetime | None


def outbox_status(url: str, *, now: dt.datetime | None = None) -> OutboxStatus:
    """How much is waiting, how much is due, how much was sent."""
    at = now or dt.datetime.now(dt.UTC)
    pending = NotificationOutbox.state == DeliveryState.PENDING.value
    with unit_of_work(url) as session:
        row = session.execute(
            select(
                func.count().filter(pending),
                func.count().filter(pending, NotificationOutbox.next_attempt_at <= at),
                func.count().filter(NotificationOutbox.state == DeliveryState.SENT.value),
                func.min(NotificationOutbox.created_at).filter(pending),
            )
        ).one()
    return OutboxStatus(row[0], row[1], row[2], as_utc(row[3]) if row[3] is not None else None)
