"""Pages every visitor meets: the front door, login and logout, the language switch, static files.

Static files are served by an ordinary route with a fixed list of names rather than a mounted
directory, so each one carries a permission like every other route and the route-permission
test can see it. The chart library comes from the installed ``plotly`` package, so no page
loads anything from outside the server.
"""

from __future__ import annotations

from importlib import resources
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request, Response
from fastapi.responses import RedirectResponse

from citycarbon.api.deps import (
    SESSION_COOKIE,
    AppSettings,
    DatabaseUrl,
    ReferenceReader,
    SelfManager,
    SessionCreator,
)
from citycarbon.domain.access.policy import NotAuthenticated
from citycarbon.domain.access.roles import Principal
from citycarbon.i18n import translator
from citycarbon.services import accounts
from citycarbon.web.render import LANG_COOKIE, WebRoute, nav_links, page_locale, render

router = APIRouter(route_class=WebRoute, include_in_schema=False)

#: name → (package, path inside it, media type): the only files the static route serves.
STATIC = {
    "site.css": ("citycarbon.web", "static/site.css", "text/css"),
    "app.js": ("citycarbon.web", "static/app.js", "text/javascript"),
    "plotly.min.js": ("plotly", "package_data/plotly.min.js", "text/javascript"),
}


def landing_page(principal: Principal) -> str:
    """Where a signed-in user starts: the first page their roles lead to."""
    links = nav_links(principal)
    return links[0][0] if links else "/login"


def _safe_next(target: str | None) -> str | None:
    # Only same-site paths: an absolute URL in ?next= would make the login page an open redirect.
    if not target or not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
        return None
    return target


@router.get("/")
def home(request: Request, caller: ReferenceReader) -> Response:
    """Send a visitor to their landing page, or to the login page when not signed in."""
    target = "/login" if caller.principal.is_anonymous else landing_page(caller.principal)
    query = f"?{request.url.query}" if request.url.query else ""  # keeps a ?lang= choice
    return RedirectResponse(target + query, status_code=303)


@router.get("/login")
def login_form(request: Request, caller: SessionCreator, next: str | None = None) -> Response:
    """The login form (signed-in users see it too, to switch account)."""
    return render(request, "login.html", caller.principal, next=_safe_next(next) or "", error=None)


@router.post("/login")
def login(
    request: Request,
    caller: SessionCreator,
    url: DatabaseUrl,
    config: AppSettings,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Check the password with the API's session mechanism and set the same session cookie."""
    try:
        issued = accounts.sign_in(
            url, username, password, hours=config.session_hours, client_address=caller.client_address
        )
        principal = accounts.authenticate(url, issued.secret)
    except NotAuthenticated as error:
        message = error.render(translator(page_locale(request)))
        return render(request, "login.html", None, 401, next=next, error=message, username=username)
    response = RedirectResponse(_safe_next(next) or landing_page(principal), status_code=303)
    response.set_cookie(
        SESSION_COOKIE, issued.secret, httponly=True, samesite="strict", max_age=config.session_hours * 3600
    )
    return response


@router.post("/logout")
def logout(request: Request, _: SelfManager, url: DatabaseUrl) -> Response:
    """End the web session and return to the login page."""
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        accounts.sign_out(url, secret)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.get("/language/{code}")
def switch_language(code: str, _: ReferenceReader, next: str | None = None) -> Response:
    """Remember the chosen language (``zh_CN`` or ``en``) and go back to the page."""
    response = RedirectResponse(_safe_next(next) or "/", status_code=303)
    response.set_cookie(LANG_COOKIE, "en" if code.lower().startswith("en") else "zh_CN", samesite="lax")
    return response


@router.get("/static/{name}")
def static_file(name: str, _: ReferenceReader) -> Response:
    """One of the :data:`STATIC` files, cached by the browser for a day."""
    found = STATIC.get(name)
    if found is None:
        return Response(status_code=404)
    package, path, media_type = found
    content = (resources.files(package) / path).read_bytes()
    return Response(content, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})
