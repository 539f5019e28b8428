"""Sign-in sessions, the caller's own tokens, and user administration."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Cookie, Response, status

from citycarbon.api.deps import (
    SESSION_COOKIE,
    AppSettings,
    DatabaseUrl,
    Limit,
    ObjectId,
    Offset,
    SelfManager,
    SessionCreator,
    UserManager,
)
from citycarbon.api.schemas.accounts import (
    MeOut,
    SessionOut,
    SignInIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
)
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Page, problem_responses
from citycarbon.services import accounts, user_admin

router = APIRouter(tags=["accounts"], responses=problem_responses(*COMMON_PROBLEMS))


@router.post("/sessions", response_model=SessionOut, status_code=status.HTTP_201_CREATED)
def sign_in(
    body: SignInIn, caller: SessionCreator, url: DatabaseUrl, config: AppSettings, response: Response
) -> SessionOut:
    """Sign in with a password; the session secret is returned and set as an HttpOnly cookie."""
    issued = accounts.sign_in(
        url, body.username, body.password, hours=config.session_hours, client_address=caller.client_address
    )
    response.set_cookie(
        SESSION_COOKIE, issued.secret, httponly=True, samesite="strict", max_age=config.session_hours * 3600
    )
    return SessionOut(session_secret=issued.secret, expires_at=issued.expires_at)


@router.delete("/sessions/current", status_code=status.HTTP_204_NO_CONTENT)
def sign_out(
    _: SelfManager,
    url: DatabaseUrl,
    response: Response,
    session_secret: Annotated[str | None, Cookie(alias=SESSION_COOKIE, include_in_schema=False)] = None,
) -> None:
    """End the current web session (a no-op for token callers)."""
    if session_secret:
        accounts.sign_out(url, session_secret)
    response.delete_cookie(SESSION_COOKIE)


@router.get("/me", response_model=MeOut)
def me(caller: SelfManager) -> MeOut:
    """The signed-in caller: account, organisation, roles and resulting permissions."""
    p = caller.principal
    return MeOut(
        user_id=p.user_id,
        username=p.username,
        organisation_id=p.organisation_id,
        roles=sorted(p.roles),
        permissions=sorted(p.permissions),
    )


@router.post("/tokens", response_model=TokenCreatedOut, status_code=status.HTTP_201_CREATED)
def create_token(body: TokenIn, caller: SelfManager, url: DatabaseUrl) -> TokenCreatedOut:
    """Issue a personal API token; the secret is shown only in this response."""
    issued = user_admin.create_token(url, caller, body.name, body.days)
    return TokenCreatedOut(token_id=issued.credential_id, token=issued.secret, expires_at=issued.expires_at)


@router.get("/tokens", response_model=list[TokenOut])
def list_tokens(caller: SelfManager, url: DatabaseUrl) -> list[TokenOut]:
    """The caller's tokens, newest first (secrets are never shown again)."""
    return [TokenOut.model_validate(t) for t in user_admin.list_tokens(url, caller)]


@router.delete("/tokens/{token_id}", response_model=TokenOut, responses=problem_responses(404))
def revoke_token(token_id: ObjectId, caller: SelfManager, url: DatabaseUrl) -> TokenOut:
    """Revoke a token at once (administrators may revoke anyone's)."""
    return TokenOut.model_validate(user_admin.revoke_token(url, caller, token_id))


@router.post(
    "/users",
    response_model=UserOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(404, 409),
)
def create_user(body: UserIn, caller: UserManager, url: DatabaseUrl) -> UserOut:
    """Create an account with its roles (administrators)."""
    view = user_admin.create_user(
        url,
        caller,
        username=body.username,
        password=body.password,
        display_name=body.display_name,
        organisation_id=body.organisation_id,
        roles=[user_admin.RoleGrant(r.role, r.region_code, r.organisation_id) for r in body.roles],
    )
    return UserOut.model_validate(view)


@router.get("/users", response_model=Page[UserOut])
def list_users(_: UserManager, url: DatabaseUrl, limit: Limit = 50, offset: Offset = 0) -> Page[UserOut]:
    """All accounts with their roles (administrators)."""
    return Page[UserOut].model_validate(user_admin.list_users(url, limit, offset))
