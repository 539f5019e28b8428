"""Delivery (一键达) rules: which events notify whom, message keys, signatures and retry timing.

Messages leave the platform *at least once*: a worker sends a queued message and marks it sent
only afterwards, so a crash between the two sends it again. Every message therefore carries an
idempotency key, derived from the event and the recipient, which the receiver uses to drop a
repeat (webhook header ``Idempotency-Key``, e-mail ``Message-ID``). The same key is unique in the
outbox, so queuing one event twice (an escalation job run twice) queues one message.

References
----------
Mission brief, "Pollution-and-carbon online": one-click delivery (一键达).
RFC 2104 (HMAC); RFC 5322 §3.6.4 (Message-ID).
"""

from __future__ import annotations

import hashlib
import hmac
from enum import StrEnum


class Channel(StrEnum):
    """How a message is delivered."""

    EMAIL = "email"
    WEBHOOK = "webhook"


class EventKind(StrEnum):
    """Events that cause notifications."""

    WARNING_RAISED = "warning_raised"
    CASE_OPENED = "case_opened"
    CASE_TRANSITION = "case_transition"
    DEADLINE_REMINDER = "deadline_reminder"
    CASE_ESCALATED = "case_escalated"


class DeliveryState(StrEnum):
    """Where a queued message stands. There is no "failed" end state: a message is retried until sent."""

    PENDING = "pending"
    SENT = "sent"


#: Header carrying the webhook signature, ``sha256=<hex>`` over ``"<timestamp>.<body>"``.
SIGNATURE_HEADER = "X-CityCarbon-Signature"
#: Header carrying the signing time [s since the Unix epoch]; receivers reject stale ones.
TIMESTAMP_HEADER = "X-CityCarbon-Timestamp"
#: Header carrying the message's idempotency key.
IDEMPOTENCY_HEADER = "Idempotency-Key"
MSG_UNKNOWN_CHANNEL = "Unknown notification channel {channel}; use one of: {allowed}"

#: Subject lines, Chinese then English, since one message reaches readers of both.
SUBJECTS: dict[EventKind, str] = {
    EventKind.WARNING_RAISED: "【预警】{title} / Warning: {title}",
    EventKind.CASE_OPENED: "【新整改案件 #{case_id}】{title} / New case #{case_id}: {title}",
    EventKind.CASE_TRANSITION: "【案件 #{case_id} 状态变更】{to_state} / Case #{case_id} is now {to_state}",
    EventKind.DEADLINE_REMINDER: "【案件 #{case_id} 即将到期】/ Case #{case_id} is due {deadline}",
    EventKind.CASE_ESCALATED: (
        "【案件 #{case_id} 逾期升级至 {level}】/ Overdue case #{case_id} escalated to {level}"
    ),
}


def idempotency_key(event_kind: EventKind, subject: str, channel: Channel, target: str) -> str:
    """A stable key for one event sent to one recipient (hex SHA-256, 64 characters).

    ``subject`` names the event instance, e.g. ``"case:12:transition:57"``; the same event and
    recipient always give the same key, so the outbox and the receiver can both drop repeats.
    """
    text = "\x1f".join((event_kind.value, subject, channel.value, target))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def message_id(key: str, domain: str) -> str:
    """The e-mail ``Message-ID`` of the message with idempotency key ``key`` (RFC 5322)."""
    return f"<{key}@{domain}>"


def webhook_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 signature of a webhook body, bound to its timestamp against replays.

    Examples
    --------
    >>> webhook_signature("k", 1, b"{}")[:7]
    'sha256='

    """
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify_webhook_signature(secret: str, timestamp: int, body: bytes, signature: str) -> bool:
    """Whether ``signature`` is the signature of ``body`` at ``timestamp`` (constant-time compare)."""
    return hmac.compare_digest(webhook_signature(secret, timestamp, body), signature)


def backoff_seconds(attempts: int, base_seconds: float, cap_seconds: float) -> float:
    """Wait before the next try after ``attempts`` failed ones: doubling from ``base``, capped [s].

    Examples
    --------
    >>> [backoff_seconds(n, 10, 60) for n in (1, 2, 3, 4)]
    [10.0, 20.0, 40.0, 60.0]

    """
    return float(min(cap_seconds, base_seconds * 2.0 ** max(0, attempts - 1)))
