"""Create user accounts with their roles, and manage personal API tokens.

The first administrator is created from the command line (``citycarbon user create-admin``),
because nobody can sign in to create it; every later account is created by an administrator
through the API, and every such write is audited.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.errors import InvalidCode
from citycarbon.refdata.codes import load_region_catalogue
from citycarbon.services.accounts import TOKEN_PREFIX, IssuedSecret, digest, hash_password
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import MSG_ORG_NOT_FOUND, MSG_USER_EXISTS, Conflict, NotFound
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ApiToken, RoleAssignment, UserAccount
from citycarbon.store.tables import Organisation

MSG_ROLE_SCOPE = "Role {role} needs {needed}"
MSG_TOKEN_NOT_FOUND = "API token {token_id} does not exist or is not yours"
MSG_UNKNOWN_USER = "User {username} does not exist"


@dataclass(frozen=True, slots=True)
class RoleGrant:
    """A role to give, with its scope: an analyst's region, a verifier's organisation."""

    role: Role
    region_code: str | None = None
    organisation_id: int | None = None


@dataclass(frozen=True, slots=True)
class UserView:
    """An account as shown to administrators (never the password hash)."""

    user_id: int
    username: str
    display_name: str
    organisation_id: int | None
    is_active: bool
    roles: tuple[RoleGrant, ...]


@dataclass(frozen=True, slots=True)
class TokenView:
    """A token's metadata (the secret itself is only shown when it is issued)."""

    token_id: int
    name: str
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None


def _check_grant(session: Session, grant: RoleGrant, organisation_id: int | None) -> None:
    if grant.role is Role.ANALYST:
        if grant.region_code is None:
            raise InvalidCode(MSG_ROLE_SCOPE, role=grant.role.value, needed="region_code")
        load_region_catalogue().validate(grant.region_code)
    if grant.role is Role.VERIFIER and grant.organisation_id is None:
        raise InvalidCode(MSG_ROLE_SCOPE, role=grant.role.value, needed="organisation_id")
    if grant.role in (Role.ENTERPRISE, Role.BANK) and organisation_id is None:
        raise InvalidCode(MSG_ROLE_SCOPE, role=grant.role.value, needed="the user's organisation_id")
    if grant.organisation_id is not None and session.get(Organisation, grant.organisation_id) is None:
        raise NotFound(MSG_ORG_NOT_FOUND, organisation=grant.organisation_id)


def add_user(
    session: Session,
    *,
    username: str,
    password: str,
    display_name: str,
    organisation_id: int | None,
    roles: Sequence[RoleGrant],
) -> UserAccount:
    """Insert an account and its roles in ``session`` (checks scopes; no audit here)."""
    if session.execute(select(UserAccount.id).where(UserAccount.username == username)).first():
        raise Conflict(MSG_USER_EXISTS, username=username)
    if organisation_id is not None and session.get(Organisation, organisation_id) is None:
        raise NotFound(MSG_ORG_NOT_FOUND, organisation=organisation_id)
    for grant in roles:
        _check_grant(session, grant, organisation_id)
    user = UserAccount(
        username=username,
        display_name=display_name,
        password_hash=hash_password(password),
        organisation_id=organisation_id,
        is_active=True,
    )
    session.add(user)
    session.flush()
    session.add_all(
        RoleAssignment(
            user_id=user.id, role=g.role.value, region_code=g.region_code, organisation_id=g.organisation_id
        )
        for g in roles
    )
    session.flush()
    return user


def create_user(
    url: str,
    caller: Caller,
    *,
    username: str,
    password: str,
    display_name: str,
    organisation_id: int | None,
    roles: Sequence[RoleGrant],
) -> UserView:
    """Create an account (administrators only; the route checks the permission) and audit it."""
    with unit_of_work(url) as session:
        user = add_user(
            session,
            username=username,
            password=password,
            display_name=display_name,
            organisation_id=organisation_id,
            roles=roles,
        )
        record_event(
            session,
            caller,
            action="write",
            resource="user",
            subject_organisation_id=organisation_id,
            detail=f"created user {user.username} with roles {','.join(g.role.value for g in roles)}",
        )
        return UserView(user.id, user.username, user.display_name, organisation_id, True, tuple(roles))


def list_users(url: str, limit: int, offset: int) -> Page[UserView]:
    """All accounts with their roles, by id."""
    limit = page_limit(limit)
    with unit_of_work(url) as session:
        users = (
            session.execute(select(UserAccount).order_by(UserAccount.id).limit(limit + 1).offset(offset))
            .scalars()
            .all()
        )
        grants: dict[int, list[RoleGrant]] = {u.id: [] for u in users}
        for row in session.execute(
            select(RoleAssignment).where(RoleAssignment.user_id.in_(list(grants)))
        ).scalars():
            grants[row.user_id].append(RoleGrant(Role(row.role), row.region_code, row.organisation_id))
        views = [
            UserView(u.id, u.username, u.display_name, u.organisation_id, u.is_active, tuple(grants[u.id]))
            for u in users
        ]
    return paginate(views, limit, offset)


def issue_token(session: Session, user_id: int, name: str, days: int) -> IssuedSecret:
    """Insert a new API token for ``user_id`` valid ``days`` days; return the secret (shown once)."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires_at = dt.datetime.now(dt.UTC) + dt.timedelta(days=days)
    row = ApiToken(user_id=user_id, name=name, token_sha256=digest(secret), expires_at=expires_at)
    session.add(row)
    session.flush()
    return IssuedSecret(row.id, secret, expires_at)


def create_token(url: str, caller: Caller, name: str, days: int) -> IssuedSecret:
    """Issue a personal token to the signed-in caller (audited)."""
    user_id = caller.principal.user_id
    if user_id is None:
        raise Forbidden(MSG_TOKEN_NOT_FOUND, token_id="new")
    with unit_of_work(url) as session:
        issued = issue_token(session, user_id, name, days)
        record_event(
            session,
            caller,
            action="write",
            resource="api_token",
            detail=f"issued token {issued.credential_id}",
        )
        return issued


def create_token_for(url: str, username: str, name: str, days: int) -> IssuedSecret:
    """Issue a token to ``username`` from the command line (the operator has database access)."""
    with unit_of_work(url) as session:
        user = session.execute(select(UserAccount).where(UserAccount.username == username)).scalar()
        if user is None:
            raise NotFound(MSG_UNKNOWN_USER, username=username)
        return issue_token(session, user.id, name, days)


def list_tokens(url: str, caller: Caller) -> list[TokenView]:
    """The caller's own tokens, newest first."""
    with unit_of_work(url) as session:
        rows = session.execute(
            select(ApiToken).where(ApiToken.user_id == caller.principal.user_id).order_by(ApiToken.id.desc())
        ).scalars()
        return [TokenView(t.id, t.name, t.created_at, t.expires_at, t.revoked_at) for t in rows]


def revoke_token(url: str, caller: Caller, token_id: int) -> TokenView:
    """Revoke one of the caller's tokens (administrators may revoke anyone's); idempotent."""
    with unit_of_work(url) as session:
        token = session.get(ApiToken, token_id)
        mine = token is not None and token.user_id == caller.principal.user_id
        if token is None or not (mine or caller.principal.holds(Role.ADMIN)):
            raise NotFound(MSG_TOKEN_NOT_FOUND, token_id=token_id)
        if token.revoked_at is None:
            token.revoked_at = dt.datetime.now(dt.UTC)
            record_event(
                session, caller, action="write", resource="api_token", detail=f"revoked token {token_id}"
            )
        return TokenView(token.id, token.name, token.created_at, token.expires_at, token.revoked_at)
