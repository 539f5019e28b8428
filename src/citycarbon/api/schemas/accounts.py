"""Schemas of accounts, roles, sign-in sessions and personal API tokens."""

from __future__ import annotations

from pydantic import Field

from citycarbon.api.schemas.common import Input, Name, Schema, UserName, UtcDateTime
from citycarbon.domain.access.roles import Role


class RoleIn(Input):
    """A role with its scope: ``region_code`` for analysts, ``organisation_id`` for verifiers."""

    role: Role
    region_code: str | None = Field(default=None, pattern=r"^\d{6}$")
    organisation_id: int | None = Field(default=None, ge=1, le=2**53 - 1)


class RoleOut(Schema):
    """A role held, with its scope."""

    role: Role
    region_code: str | None
    organisation_id: int | None


class UserIn(Input):
    """A new account; enterprise and bank users belong to their organisation."""

    username: UserName
    password: str = Field(min_length=12, max_length=256, description="At least 12 characters")
    display_name: Name
    organisation_id: int | None = Field(default=None, ge=1, le=2**53 - 1)
    roles: list[RoleIn] = Field(min_length=1, max_length=20)


class UserOut(Schema):
    """An account (never its password hash)."""

    user_id: int
    username: str
    display_name: str
    organisation_id: int | None
    is_active: bool
    roles: list[RoleOut]


class MeOut(Schema):
    """The signed-in caller as the platform sees it."""

    user_id: int | None
    username: str
    organisation_id: int | None
    roles: list[Role]
    permissions: list[str]


class SignInIn(Input):
    """User name and password."""

    username: UserName
    password: str = Field(min_length=1, max_length=256)


class SessionOut(Schema):
    """A new web session; the secret is also set as an HttpOnly cookie."""

    session_secret: str
    expires_at: UtcDateTime


class TokenIn(Input):
    """A new personal token: a name to recognise it by and its lifetime."""

    name: Name
    days: int = Field(default=90, ge=1, le=366)


class TokenCreatedOut(Schema):
    """A new token; ``token`` is shown only in this response."""

    token_id: int
    token: str
    expires_at: UtcDateTime


class TokenOut(Schema):
    """A token's metadata."""

    token_id: int
    name: str
    created_at: UtcDateTime
    expires_at: UtcDateTime
    revoked_at: UtcDateTime | None
