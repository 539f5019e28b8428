"""Queue notifications (一键达) in the transaction of the event that causes them.

Each function here takes the caller's :class:`~sqlalchemy.orm.Session` and only inserts into
``notification_outbox``: the message becomes visible to the delivery worker exactly when the
event commits, and disappears with it when the event rolls back. Delivery itself is in
:mod:`citycarbon.services.notifications_delivery`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.supervision.notifications import (
    MSG_UNKNOWN_CHANNEL,
    SUBJECTS,
    Channel,
    DeliveryState,
    EventKind,
    idempotency_key,
)
from citycarbon.services.platform_errors import NotFound
from citycarbon.store.case_tables import NotificationOutbox, NotificationSubscription
from citycarbon.store.db import unit_of_work

MSG_SUBSCRIPTION_NOT_FOUND = "Notification subscription {subscription_id} does not exist"
MSG_BAD_TARGET = "A {channel} subscription needs {expected}, not {target}"


@dataclass(frozen=True, slots=True)
class Event:
    """One event to announce: what happened, to which case or warning, and its payload."""

    kind: EventKind
    instance: str  # names this occurrence, e.g. "case:12:transition:57"; part of the idempotency key
    organisation_id: int
    subject_params: Mapping[str, Any]
    payload: Mapping[str, Any]
    case_id: int | None = None
    warning_id: int | None = None
    escalation_level: int = 0


def queue_event(session: Session, event: Event, *, now: dt.datetime | None = None) -> int:
    """Queue one message per matching active subscription; return how many were new.

    Centre-wide subscriptions (no organisation) and the organisation's own ones receive the
    event when their ``escalation_level`` equals the event's. Queuing the same event again adds
    nothing: the idempotency key is unique in the outbox.
    """
    subscriptions = session.scalars(
        select(NotificationSubscription).where(
            NotificationSubscription.is_active.is_(True),
            NotificationSubscription.escalation_level == event.escalation_level,
            or_(
                NotificationSubscription.organisation_id.is_(None),
                NotificationSubscription.organisation_id == event.organisation_id,
            ),
        )
    ).all()
    if not subscriptions:
        return 0
    created_at = now or dt.datetime.now(dt.UTC)
    subject = SUBJECTS[event.kind].format(**event.subject_params)[:300]
    body = json.dumps(
        {"event": event.kind.value, "subject": subject, **event.payload},
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    rows = [
        {
            "idempotency_key": idempotency_key(event.kind, event.instance, Channel(s.channel), s.target),
            "event_kind": event.kind.value,
            "case_id": event.case_id,
            "warning_id": event.warning_id,
            "channel": s.channel,
            "target": s.target,
            "subject": subject,
            "body_json": body,
            "state": DeliveryState.PENDING.value,
            "attempts": 0,
            "next_attempt_at": created_at,
            "created_at": created_at,
        }
        for s in subscriptions
    ]
    return _insert_ignoring_duplicates(session, rows)


def _insert_ignoring_duplicates(session: Session, rows: list[dict[str, Any]]) -> int:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement: Any = postgresql.insert(NotificationOutbox).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    elif dialect == "sqlite":
        statement = sqlite.insert(NotificationOutbox).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    else:  # pragma: no cover - only the two supported backends
        statement = insert(NotificationOutbox)
    inserted = 0
    for row in rows:  # a handful of subscribers per event; RETURNING tells which were new
        if session.execute(statement.values(**row).returning(NotificationOutbox.id)).first() is not None:
            inserted += 1
    return inserted


def queue_warning_raised(
    session: Session,
    *,
    warning_id: int,
    organisation_id: int,
    severity: str,
    title: str,
    evidence: Mapping[str, object],
) -> int:
    """Announce a new warning (for warnings that do not open a case); runs in the caller's transaction."""
    return queue_event(
        session,
        Event(
            EventKind.WARNING_RAISED,
            f"warning:{warning_id}",
            organisation_id,
            {"title": title},
            {
                "warning_id": warning_id,
                "organisation_id": organisation_id,
                "severity": severity,
                "title": title,
                "evidence": dict(evidence),
            },
            warning_id=warning_id,
        ),
    )


@dataclass(frozen=True, slots=True)
class Subscription:
    """A subscription as listed to operators."""

    subscription_id: int
    channel: str
    target: str
    organisation_id: int | None
    escalation_level: int
    is_active: bool


def add_subscription(
    url: str, channel: str, target: str, *, organisation_id: int | None = None, escalation_level: int = 0
) -> Subscription:
    """Register a recipient (an operator task: the CLI calls it)."""
    try:
        kind = Channel(channel)
    except ValueError:
        raise CityCarbonError(
            MSG_UNKNOWN_CHANNEL, channel=channel, allowed=", ".join(c.value for c in Channel)
        ) from None
    if kind is Channel.WEBHOOK and not target.startswith(("http://", "https://")):
        raise CityCarbonError(MSG_BAD_TARGET, channel=channel, expected="an http(s) URL", target=target)
    if kind is Channel.EMAIL and "@" not in target:
        raise CityCarbonError(MSG_BAD_TARGET, channel=channel, expected="an e-mail address", target=target)
    with unit_of_work(url) as session:
        row = NotificationSubscription(
            channel=kind.value,
            target=target,
            organisation_id=organisation_id,
            escalation_level=escalation_level,
            is_active=True,
            created_at=dt.datetime.now(dt.UTC),
        )
        session.add(row)
        session.flush()
        return _subscription(row)


def list_subscriptions(url: str) -> list[Subscription]:
    """Every subscription, oldest first."""
    with unit_of_work(url) as session:
        rows = session.scalars(select(NotificationSubscription).order_by(NotificationSubscription.id)).all()
        return [_subscription(r) for r in rows]


def deactivate_subscription(url: str, subscription_id: int) -> Subscription:
    """Stop sending to a recipient (queued messages to it are still delivered)."""
    with unit_of_work(url) as session:
        row = session.get(NotificationSubscription, subscription_id)
        if row is None:
            raise NotFound(MSG_SUBSCRIPTION_NOT_FOUND, subscription_id=subscription_id)
        row.is_active = False
        return _subscription(row)


def _subscription(row: NotificationSubscription) -> Subscription:
    return Subscription(
        row.id, row.channel, row.target, row.organisation_id, row.escalation_level, row.is_active
    )
