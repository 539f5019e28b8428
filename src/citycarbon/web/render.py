"""Rendering for the web pages: the Jinja environment, the reader's language, and web errors.

Pages are plain server-rendered HTML. Every visible string passes through ``_`` (the Babel
catalogue of :mod:`citycarbon.i18n`), so the page speaks the language the reader chose: Chinese
by default, English after ``?lang=en`` or the language switch, remembered in a cookie.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, select_autoescape

from citycarbon.api.deps import SESSION_COOKIE
from citycarbon.domain.access.policy import Forbidden, NotAuthenticated
from citycarbon.domain.access.roles import Permission, Principal, Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.supervision.warning_rules import RULE_LABELS
from citycarbon.i18n import DEFAULT_LOCALE, normalise_locale, translator
from citycarbon.services.accounts import authenticate
from citycarbon.services.platform_errors import NotFound

LANG_COOKIE = "citycarbon_lang"
_env = Environment(loader=PackageLoader("citycarbon.web", "templates"), autoescape=select_autoescape())
_env.globals["rule_label"] = lambda kind: RULE_LABELS.get(kind, kind)


def page_locale(request: Request) -> str:
    """The reader's language: ``?lang=`` first, then the cookie, else Chinese (never the browser's).

    The browser's ``Accept-Language`` is ignored on purpose: the centre's pages are Chinese
    first, and an English-configured office PC should not switch them silently.
    """
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return normalise_locale(chosen) if chosen else DEFAULT_LOCALE


def nav_links(principal: Principal | None) -> list[tuple[str, str]]:
    """``(path, label)`` of the pages the principal's roles lead to, in menu order."""
    if principal is None or principal.is_anonymous:
        return []
    links = []
    if principal.holds(Role.ADMIN) or principal.holds(Role.ANALYST):
        links.append(("/dashboard", "Dashboard"))
    if principal.holds(Role.ENTERPRISE) and principal.organisation_id is not None:
        links.append((f"/organisations/{principal.organisation_id}", "My enterprise"))
    if principal.holds(Role.ENTERPRISE) or principal.holds(Role.ADMIN):
        links.append(("/upload", "Data entry"))
    if principal.holds(Role.BANK) or principal.holds(Role.ADMIN):
        links.append(("/bank", "Green finance"))
    if principal.holds(Role.VERIFIER) or principal.holds(Role.ADMIN) or principal.holds(Role.ANALYST):
        links.append(("/organisations", "Enterprises"))
    if principal.has(Permission.WARNING_READ):
        links.append(("/warnings", "Supervision"))
    if principal.has(Permission.CASE_READ):
        links.append(("/cases", "Cases"))
    links.append(("/synergy", "Synergy index"))
    return links


def render(
    request: Request,
    template: str,
    principal: Principal | None = None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """Render ``template`` in the reader's language; remember a ``?lang=`` choice in a cookie."""
    locale = page_locale(request)
    html = _env.get_template(template).render(
        _=translator(locale),
        locale=locale,
        html_lang="zh-CN" if locale == "zh_CN" else "en",
        principal=principal,
        nav=nav_links(principal),
        path=request.url.path,
        **context,
    )
    response = HTMLResponse(html, status_code=status_code)
    if "lang" in request.query_params:
        response.set_cookie(LANG_COOKIE, locale, samesite="lax", max_age=365 * 86400)
    return response


def _error_page(request: Request, error: CityCarbonError) -> HTMLResponse:
    status_code = 404 if isinstance(error, NotFound) else 403 if isinstance(error, Forbidden) else 400
    message = error.render(translator(page_locale(request)))
    return render(request, "error.html", _signed_in(request), status_code, message=message)


def _signed_in(request: Request) -> Principal | None:
    # The error page keeps the menu and the logout button of a signed-in reader.
    secret = request.cookies.get(SESSION_COOKIE)
    try:
        return authenticate(str(request.app.state.database_url), secret) if secret else None
    except NotAuthenticated:
        return None


class WebRoute(APIRoute):
    """A page route: errors become pages instead of the API's problem documents.

    A visitor who is not signed in (or whose session expired) is sent to the login page with
    the stale cookie removed, so the login page itself cannot fail on it; a refusal or a
    missing record is shown as a page in the reader's language.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """Wrap FastAPI's handler, which also runs the permission dependency."""
        handler = super().get_route_handler()

        async def handle(request: Request) -> Response:
            try:
                return await handler(request)
            except NotAuthenticated:
                target = f"/login?next={request.url.path}"
                response = RedirectResponse(target, status_code=303)
                response.delete_cookie(SESSION_COOKIE)
                return response
            except CityCarbonError as error:
                return _error_page(request, error)

        return handle
