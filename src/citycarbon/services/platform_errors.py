"""Errors of the platform use cases that every adapter maps to a status (API) or exit code (CLI)."""

from __future__ import annotations

from citycarbon.domain.errors import CityCarbonError
from citycarbon.services.reporting import NotFound

MSG_ORG_NOT_FOUND = "Organisation {organisation} is not registered"
MSG_USER_EXISTS = "User name {username} is already taken"
MSG_BAD_LOGIN = "User name or password is wrong"
MSG_TOKEN_INVALID = "The API token or session is not valid"
MSG_TOKEN_EXPIRED = "The API token or session expired on {expired_date}"
MSG_TOKEN_REVOKED = "The API token or session was revoked on {revoked_date}"
MSG_ACCOUNT_DISABLED = "The account {username} is disabled"


class Conflict(CityCarbonError):
    """The request clashes with stored data (HTTP 409)."""


__all__ = ["Conflict", "NotFound"]
