"""Accounts, roles and credentials: create users, sign in, issue and revoke API tokens.

Passwords are hashed with argon2id (argon2-cffi defaults, RFC 9106) because they are chosen
by people and may be weak. Tokens and session secrets are 256-bit random values, so a plain
SHA-256 digest is enough to keep them useless to a reader of the database — and it can be
looked up by index on every request, which an argon2 hash could not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import NotAuthenticated
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.clock import as_utc
from citycarbon.services.platform_errors import (
    MSG_ACCOUNT_DISABLED,
    MSG_BAD_LOGIN,
    MSG_TOKEN_EXPIRED,
    MSG_TOKEN_INVALID,
    MSG_TOKEN_REVOKED,
)
from citycarbon.store.db import PreparedQuery, read_once, unit_of_work
from citycarbon.store.platform_tables import ApiToken, RoleAssignment, UserAccount, WebSession

TOKEN_PREFIX = "cct_"
SESSION_PREFIX = "ccs_"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class IssuedSecret:
    """A new token or session: the secret is shown once and never stored."""

    credential_id: int
    secret: str
    expires_at: dt.datetime


def digest(secret: str) -> str:
    """SHA-256 hex digest under which a token or session secret is stored."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``password_hash`` (never raises)."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def load_principal(session: Session, user: UserAccount, credential_key: str | None) -> Principal:
    """Build the caller of a request from a user account and its role assignments."""
    if not user.is_active:
        raise NotAuthenticated(MSG_ACCOUNT_DISABLED, username=user.username)
    assignments = session.execute(
        select(RoleAssignment.role, RoleAssignment.region_code, RoleAssignment.organisation_id).where(
            RoleAssignment.user_id == user.id
        )
    ).all()
    return _principal(
        user.id, user.username, user.organisation_id, tuple(map(tuple, assignments)), credential_key
    )


@lru_cache(maxsize=4096)
def _principal(
    user_id: int,
    username: str,
    organisation_id: int | None,
    assignments: tuple[tuple[str, str | None, int | None], ...],
    credential_key: str | None,
) -> Principal:
    # Memoised on everything it is built from (the rows just read), so a changed role or
    # organisation builds a new one: only the set arithmetic is saved, never a database read.
    return Principal(
        user_id=user_id,
        username=username,
        organisation_id=organisation_id,
        roles=frozenset(Role(role) for role, _, _ in assignments),
        region_codes=frozenset(code for role, code, _ in assignments if role == Role.ANALYST and code),
        assigned_organisation_ids=frozenset(
            org for role, _, org in assignments if role == Role.VERIFIER and org is not None
        ),
        credential_key=credential_key,
    )


def _credential_query(table: type[ApiToken] | type[WebSession]) -> Select[*tuple[Any, ...]]:
    # One round trip: the credential, its user and every role assignment (one row per role).
    stored = table.token_sha256 if table is ApiToken else WebSession.session_sha256
    return (
        select(
            table.expires_at,
            table.revoked_at,
            UserAccount.id,
            UserAccount.username,
            UserAccount.organisation_id,
            UserAccount.is_active,
            RoleAssignment.role,
            RoleAssignment.region_code,
            RoleAssignment.organisation_id,
        )
        .join(UserAccount, UserAccount.id == table.user_id)
        .outerjoin(RoleAssignment, RoleAssignment.user_id == UserAccount.id)
        .where(stored == bindparam("key"))
    )


_TOKEN_QUERY = PreparedQuery(_credential_query(ApiToken))
_SESSION_QUERY = PreparedQuery(_credential_query(WebSession))


def _check_live(expires_at: dt.datetime, revoked_at: dt.datetime | None, now: dt.datetime) -> None:
    if revoked_at is not None:
        raise NotAuthenticated(MSG_TOKEN_REVOKED, revoked_date=as_utc(revoked_at).date().isoformat())
    if as_utc(expires_at) <= now:
        raise NotAuthenticated(MSG_TOKEN_EXPIRED, expired_date=as_utc(expires_at).date().isoformat())


def authenticate(url: str, secret: str) -> Principal:
    """Return the caller behind an API token or session secret.

    Runs on every request, so it is a single indexed query on a pooled connection, and nothing
    about the credential is cached: a revoked or expired one is refused on the next request.

    Raises
    ------
    NotAuthenticated
        For an unknown, expired or revoked credential, with the reason.

    """
    key = digest(secret)
    query = _SESSION_QUERY if secret.startswith(SESSION_PREFIX) else _TOKEN_QUERY
    rows = read_once(url, lambda connection: query.rows(connection, key=key))
    if not rows:
        raise NotAuthenticated(MSG_TOKEN_INVALID)
    expires_at, revoked_at, user_id, username, organisation_id, is_active = rows[0][:6]
    _check_live(expires_at, revoked_at, dt.datetime.now(dt.UTC))
    if not is_active:
        raise NotAuthenticated(MSG_ACCOUNT_DISABLED, username=username)
    assignments = tuple((role, code, org) for *_, role, code, org in rows if role is not None)
    return _principal(user_id, username, organisation_id, assignments, key)


def sign_in(
    url: str, username: str, password: str, *, hours: int, client_address: str | None
) -> IssuedSecret:
    """Check a password and open a web session.

    Raises
    ------
    NotAuthenticated
        When the user is unknown, disabled or the password is wrong (one message for all,
        so the answer does not reveal which user names exist).

    """
    with unit_of_work(url) as session:
        user = session.execute(select(UserAccount).where(UserAccount.username == username)).scalar()
        if user is None or not user.is_active or not password_matches(user.password_hash, password):
            raise NotAuthenticated(MSG_BAD_LOGIN)
        secret = SESSION_PREFIX + secrets.token_urlsafe(32)
        expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(hours=hours)
        row = WebSession(
            user_id=user.id,
            session_sha256=digest(secret),
            client_address=client_address,
            expires_at=expires_at,
        )
        session.add(row)
        session.flush()
        return IssuedSecret(row.id, secret, expires_at)


def sign_out(url: str, secret: str) -> None:
    """Revoke the web session whose secret is ``secret`` (idempotent)."""
    with unit_of_work(url) as session:
        row = session.execute(select(WebSession).where(WebSession.session_sha256 == digest(secret))).scalar()
        if row is not None and row.revoked_at is None:
            row.revoked_at = dt.datetime.now(dt.UTC)
