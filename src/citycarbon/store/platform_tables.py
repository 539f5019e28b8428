"""Tables of the platform service: accounts, roles, credentials, consent, audit, pricing, jobs.

Credentials (API tokens, web sessions) are stored as SHA-256 digests of high-entropy random
secrets, so a copy of the database does not let anyone sign in; passwords are argon2 hashes.
``audit_event`` is append-only: the application has no update or delete path for it, and the
migration installs triggers that reject UPDATE and DELETE on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from citycarbon.store.tables import Base, Id, utc_now


class UserAccount(Base):
    """A person who signs in; belongs to an organisation, or to the centre when that is null.

    The table is not called ``user`` because that word is reserved in PostgreSQL.
    """

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class RoleAssignment(Base):
    """One role of one user, with its scope (analyst: a region; verifier: an organisation)."""

    __tablename__ = "role_assignment"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    region_code: Mapped[str | None] = mapped_column(String(6))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ApiToken(Base):
    """A personal API token: only its digest is kept; revocable, and it expires."""

    __tablename__ = "api_token"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class WebSession(Base):
    """A browser session created by signing in with a password (cookie holds the secret)."""

    __tablename__ = "web_session"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    session_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    client_address: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class Consent(Base):
    """An enterprise's permission for a named bank to read its carbon profile, for a purpose."""

    __tablename__ = "consent"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    bank_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    purpose: Mapped[str] = mapped_column(String(500))
    valid_until_date: Mapped[dt.date] = mapped_column(Date)
    granted_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    granted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))


class AuditEvent(Base):
    """Who did what to whose data, when, why and from where (append-only)."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now, index=True)
    actor_user_id: Mapped[int | None] = mapped_column(Id)
    actor_username: Mapped[str] = mapped_column(String(64))
    actor_organisation_id: Mapped[int | None] = mapped_column(Id)
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(120))
    subject_organisation_id: Mapped[int | None] = mapped_column(Id, index=True)
    purpose: Mapped[str | None] = mapped_column(String(500))
    client_address: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[str | None] = mapped_column(Text)


class LoanPricingRule(Base):
    """A bank's rate adjustment [bp] for one carbon-efficiency grade of one loan product."""

    __tablename__ = "loan_pricing_rule"
    __table_args__ = (UniqueConstraint("bank_organisation_id", "product_code", "grade"),)
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    bank_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisation.id"), index=True)
    product_code: Mapped[str] = mapped_column(String(48))
    grade: Mapped[str] = mapped_column(String(8))
    adjustment_bp: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)


class ImportJob(Base):
    """A background import: the uploaded file and its progress, so it survives a restart."""

    __tablename__ = "import_job"
    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))
    file_name: Mapped[str] = mapped_column(String(255))
    file_content: Mapped[bytes] = mapped_column(LargeBinary)
    is_replace: Mapped[bool] = mapped_column(Boolean, default=False)
    submitted_by_user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    progress_percent: Mapped[int] = mapped_column(Integer, default=0)
    step: Mapped[str] = mapped_column(String(32), default="queued")
    attempt_count: Mapped[int] = mapped_column(Integer, default=0)
    rows_count: Mapped[int | None] = mapped_column(Integer)
    written_count: Mapped[int | None] = mapped_column(Integer)
    skipped_count: Mapped[int | None] = mapped_column(Integer)
    import_batch_id: Mapped[int | None] = mapped_column(Id)
    error_message: Mapped[str | None] = mapped_column(Text)
    problems_json: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utc_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
