"""Tables of rectification cases and their delivery (一键达): cases, transitions, evidence, ratings, outbox.

A case's ``state`` changes only through :mod:`citycarbon.services.cases`, which writes one
``supervision_case_transition`` row for every change in the same transaction; that log is
append-only (the migration installs triggers rejecting UPDATE and DELETE on both backends), so
"every transition with who and when" cannot be rewritten afterwards. ``warning_id`` points at a
warning of the monitoring branch without a foreign key (the warnings table lives in another
migration branch); it is unique, so one warning opens at most one case.

Notifications are written to ``notification_outbox`` in the same transaction as the event that
causes them and delivered later by a worker, so an event is never committed without its
message, nor a message without its event.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store import platform_tables  # noqa: F401  (user_account, the target of assignee_user_id)
from citycarbon.store.tables import Base, Id, utc_now


class SupervisionCase(Base):
    """One rectification case of one organisation, opened by a warning or by hand."""

    __tablename__ = "supervision_case"
    __table_args__ = (
        CheckConstraint("escalation_level >= 0", name="escalation_level_non_negative"),
        Index("ix_supervision_case_state_deadline", "state", "deadline_at"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    severity: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(300))
    warning_id: Mapped[int | None] = mapped_column(Id, unique=True)
    warning_evidence_json: Mapped[str | None] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(120), index=True)
    assignee_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    assignee_username: Mapped[str | None] = mapped_column(String(64))
    inspection_mode: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(16))
    deadline_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    deadline_set: Mapped[str] = mapped_column(String(64))
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    escalated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class SupervisionCaseWarning(Base):
    """A warning handled by a case: the one that opened it and later ones of the same finding.

    ``warning_id`` has no foreign key (the warnings table lives in the monitoring branch) and is
    unique: a warning belongs to at most one case.
    """

    __tablename__ = "supervision_case_warning"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    warning_id: Mapped[int] = mapped_column(Id, unique=True)
    linked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SupervisionCaseTransition(Base):
    """One state change of a case: who, in which role, when, from which state to which, and why."""

    __tablename__ = "supervision_case_transition"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[int | None] = mapped_column(Id)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    note: Mapped[str] = mapped_column(Text, default="")


class SupervisionCaseEvidence(Base):
    """A file attached to a case (rectification proof, inspection record), kept with its digest."""

    __tablename__ = "supervision_case_evidence"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    note: Mapped[str] = mapped_column(Text, default="")
    uploaded_by_user_id: Mapped[int | None] = mapped_column(Id)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class SupervisionCaseRating(Base):
    """The enterprise's satisfaction with one closure of a case (1–5); a reopened case is rated again."""

    __tablename__ = "supervision_case_rating"
    __table_args__ = (
        UniqueConstraint("case_id", "closure_number"),
        CheckConstraint("score BETWEEN 1 AND 5", name="score_1_to_5"),
    )
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("supervision_case.id"), index=True)
    closure_number: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    rated_by_user_id: Mapped[int | None] = mapped_column(Id)
    rated_by: Mapped[str] = mapped_column(String(64))
    rated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class NotificationSubscription(Base):
    """Where a kind of notification goes: an e-mail address or a webhook URL.

    ``organisation_id`` set: the enterprise's own contact, told about its cases only; unset: a
    centre contact told about every case. ``escalation_level`` 0 receives ordinary events
    (new cases and warnings, deadlines); level *n* receives escalations to level *n* only.
    """

    __tablename__ = "notification_subscription"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class NotificationOutbox(Base):
    """One message to deliver once: queued with its event, claimed under a lease, marked after success."""

    __tablename__ = "notification_outbox"
    __table_args__ = (Index("ix_notification_outbox_due", "state", "next_attempt_at"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    event_kind: Mapped[str] = mapped_column(String(32))
    case_id: Mapped[int | None] = mapped_column(Id, index=True)
    warning_id: Mapped[int | None] = mapped_column(Id)
    channel: Mapped[str] = mapped_column(String(16))
    target: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(300))
    body_json: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
