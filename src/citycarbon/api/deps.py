"""Dependencies shared by every router, as ``Annotated`` aliases (style guide §1).

Dependencies that do no blocking I/O are ``async`` so FastAPI calls them on the event loop
instead of handing each to the thread pool (a hop costs more than their work).

A route gets its caller only through :func:`allow`, which names the permission the route
needs; ``tests/api/test_api_permissions.py`` walks every route and fails when one has no
such dependency, so an endpoint cannot be added without deciding who may call it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request

from citycarbon.domain.access.policy import MSG_NO_PERMISSION, MSG_NOT_SIGNED_IN, Forbidden, NotAuthenticated
from citycarbon.domain.access.roles import Permission, Principal
from citycarbon.services.accounts import authenticate
from citycarbon.services.caller import MAX_PAGE_SIZE, Caller
from citycarbon.settings import Settings

SESSION_COOKIE = "citycarbon_session"
#: How callers authenticate, as the OpenAPI document states it for every route with a
#: permission (``api/app.py``). Read directly from the request in :func:`caller_of` rather than
#: through FastAPI's security dependencies, which would cost two dependency resolutions a call.
SECURITY_SCHEMES: dict[str, dict[str, str]] = {
    "HTTPBearer": {
        "type": "http",
        "description": "Personal API token: `Authorization: Bearer cct_…`",
        "scheme": "bearer",
    },
    "APIKeyCookie": {
        "type": "apiKey",
        "description": "Web session from POST /api/v1/sessions",
        "in": "cookie",
        "name": SESSION_COOKIE,
    },
}
_CALLER_KEY = "citycarbon.caller"

#: Largest id accepted in paths: beyond it no row can exist, and both backends store it safely.
MAX_ID = 2**53 - 1


async def database_url(request: Request) -> str:
    """The database the application was created for."""
    return str(request.app.state.database_url)


async def settings(request: Request) -> Settings:
    """The application's settings."""
    value: Settings = request.app.state.settings
    return value


DatabaseUrl = Annotated[str, Depends(database_url)]
AppSettings = Annotated[Settings, Depends(settings)]


async def client_address(request: Request) -> str | None:
    """Address the request came from (recorded in the audit log)."""
    return request.client.host if request.client else None


def caller_of(request: Request) -> Caller:
    """Authenticate the request (token, else session cookie, else anonymous) and rate-limit it.

    Done once per request (the result is kept in the request scope). The credential is looked
    up in the database every time — no cache — so a revoked or expired token is refused at
    once. The look-up is one indexed query and runs on the event loop: a hop to the thread pool
    would cost more than the query itself (see docs/how-to/api.md, Performance).
    """
    found: Caller | None = request.scope.get(_CALLER_KEY)
    if found is not None:
        return found
    scheme, _, token = (request.headers.get("authorization") or "").partition(" ")
    secret = token.strip() if scheme.lower() == "bearer" else ""
    secret = secret or request.cookies.get(SESSION_COOKIE, "")
    principal = authenticate(request.app.state.database_url, secret) if secret else Principal.anonymous()
    address = request.client.host if request.client else None
    request.app.state.rate_limiter.take(principal.credential_key or f"address:{address}")
    found = request.scope[_CALLER_KEY] = Caller(principal, address)
    return found


async def current_caller(request: Request) -> Caller:
    """The request's caller, as a dependency (see :func:`caller_of`)."""
    return caller_of(request)


class PermissionCheck:
    """Dependency that passes the caller through when its roles grant ``permission``."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Caller:
        """Return the caller, or refuse: 401 when anonymous, 403 when signed in."""
        caller = caller_of(request)
        if caller.principal.has(self.permission):
            return caller
        if caller.principal.is_anonymous:
            raise NotAuthenticated(MSG_NOT_SIGNED_IN)
        raise Forbidden(MSG_NO_PERMISSION, permission=self.permission.value)


def allow(permission: Permission) -> Any:
    """Return the dependency that checks ``permission`` and yields the caller.

    Used as ``caller: Annotated[Caller, allow(Permission.X)]``, or through the aliases below.
    """
    return Depends(PermissionCheck(permission))


ReferenceReader = Annotated[Caller, allow(Permission.REFERENCE_READ)]
AggregateReader = Annotated[Caller, allow(Permission.AGGREGATE_READ)]
SessionCreator = Annotated[Caller, allow(Permission.SESSION_CREATE)]
SelfManager = Annotated[Caller, allow(Permission.SELF_MANAGE)]
UserManager = Annotated[Caller, allow(Permission.USER_MANAGE)]
OrganisationReader = Annotated[Caller, allow(Permission.ORGANISATION_READ)]
OrganisationCreator = Annotated[Caller, allow(Permission.ORGANISATION_CREATE)]
LedgerReader = Annotated[Caller, allow(Permission.LEDGER_READ)]
LedgerWriter = Annotated[Caller, allow(Permission.LEDGER_WRITE)]
ConsentReader = Annotated[Caller, allow(Permission.CONSENT_READ)]
ConsentManager = Annotated[Caller, allow(Permission.CONSENT_MANAGE)]
AuditReader = Annotated[Caller, allow(Permission.AUDIT_READ)]
ProfileReader = Annotated[Caller, allow(Permission.PROFILE_READ)]
QuoteCreator = Annotated[Caller, allow(Permission.QUOTE_CREATE)]
PricingManager = Annotated[Caller, allow(Permission.PRICING_MANAGE)]
VerificationSigner = Annotated[Caller, allow(Permission.VERIFICATION_SIGN)]

ObjectId = Annotated[int, Path(ge=1, le=MAX_ID, description="Numeric id")]
CreditCode = Annotated[
    str, Path(pattern=r"^[0-9A-Z]{18}$", description="18-character unified social credit code (USCC)")
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"Page size (at most {MAX_PAGE_SIZE})")]
Offset = Annotated[int, Query(ge=0, le=10_000_000, description="Rows to skip")]
PeriodCode = Annotated[
    str | None,
    Query(pattern=r"^\d{4}(-(0[1-9]|1[0-2]|Q[1-4]))?$", description="Period code: 2024, 2024-Q1, 2024-01"),
]
