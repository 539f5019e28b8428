"""The web application: JSON API under ``/api/v1`` and the (for now minimal) home page.

Requests pass, in order: the refusal of addresses holding a NUL character and the body-size
limit (ASGI middleware, before any body is read), the
caller's authentication and per-token rate limit (a dependency of every route, through its
permission check), the route, and on any error the RFC 9457 problem renderer. The import worker
runs in the application's lifespan, so pending or interrupted imports resume when a server
process starts.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import text
from starlette.routing import BaseRoute

from citycarbon import __version__
from citycarbon.api.deps import SECURITY_SCHEMES, PermissionCheck, ReferenceReader
from citycarbon.api.limits import BodySizeLimit, RefuseNulCharacters, TokenBuckets
from citycarbon.api.problems import install_problem_handlers
from citycarbon.api.routes import (
    accounts,
    audit,
    cases,
    consents,
    efficiency,
    finance,
    imports,
    indicators,
    ledger,
    monitoring,
    organisations,
    reference,
    registry,
    warnings,
)
from citycarbon.api.schemas.common import problem_responses
from citycarbon.api.schemas.reference import HealthOut
from citycarbon.services.import_worker import ImportWorker
from citycarbon.settings import Settings, get_settings
from citycarbon.store.db import get_engine
from citycarbon.web import router as web_router

API_PREFIX = "/api/v1"
ROUTERS = (
    reference, accounts, organisations, ledger, imports, consents, audit, finance, registry, indicators,
    monitoring, warnings, cases, efficiency,
)  # fmt: skip


def route_permission(route: APIRoute) -> str | None:
    """The permission a route's dependencies check, or ``None`` when it has none."""
    pending = list(route.dependant.dependencies)
    while pending:
        dependency = pending.pop()
        if isinstance(dependency.call, PermissionCheck):
            return dependency.call.permission.value
        pending.extend(dependency.dependencies)
    return None


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute | BaseRoute]]:
    """Every route of ``app`` with its full path, included routers flattened."""
    return [(str(getattr(c, "path", "")), c.original_route) for c in iter_route_contexts(app.routes)]


def _document_permissions(routes: Sequence[BaseRoute]) -> None:
    # Put each route's permission, and the credentials that carry it, into the OpenAPI
    # document, where client authors look.
    for route in routes:
        if isinstance(route, APIRoute) and (permission := route_permission(route)) is not None:
            route.openapi_extra = {
                **(route.openapi_extra or {}),
                "x-permission": permission,
                "security": [{name: []} for name in SECURITY_SCHEMES],
            }
            route.description = f"{route.description}\n\nPermission: `{permission}`."


def _document_security(app: FastAPI) -> None:
    # The credentials are read by the permission check itself (api/deps.py), not by FastAPI
    # security dependencies, so their schemes are added to the document here.
    build = app.openapi

    def openapi() -> dict[str, Any]:
        document = build()
        document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(database_url: str | None = None, settings: Settings | None = None) -> FastAPI:
    """Build the application bound to ``database_url`` (default: settings)."""
    config = settings or get_settings()
    url = database_url or config.database_url

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        worker = ImportWorker(url, config.import_job_stale_seconds) if config.import_worker_enabled else None
        if worker is not None:
            worker.start()
        yield
        if worker is not None:
            worker.stop()

    app = FastAPI(
        title="citycarbon",
        version=__version__,
        openapi_url=f"{API_PREFIX}/openapi.json",
        lifespan=lifespan,
        description="Carbon management service centre platform · 碳管理服务平台. Errors are RFC 9457 "
        "problem documents in the language of `Accept-Language` (zh-CN default, en).",
    )
    app.state.database_url = url
    app.state.settings = config
    app.state.rate_limiter = TokenBuckets(config.rate_limit_per_second, config.rate_limit_burst)
    app.add_middleware(
        BodySizeLimit,
        limit_bytes=config.max_request_bytes,
        upload_limit_bytes=config.max_upload_bytes,
        upload_prefix=f"{API_PREFIX}/imports",
    )
    app.add_middleware(RefuseNulCharacters)
    install_problem_handlers(app)
    # FastAPI tries routers in the order they were included, route by route: the green-finance
    # router goes first because banks call its profile look-up far more often than anything else.
    for module in sorted(ROUTERS, key=lambda m: m is not finance):
        _document_permissions(module.router.routes)
        app.include_router(module.router, prefix=API_PREFIX)
    app.include_router(web_router)  # server-rendered pages, "/" included

    # A request with a bad credential is refused (401) even on open routes, rather than served
    # as anonymous, so a client learns at once that its token no longer works.
    @app.get("/health", tags=["platform"], response_model=HealthOut, responses=problem_responses(401, 429))
    def health(_: ReferenceReader) -> HealthOut:
        """Liveness and database reachability, for load balancers and the install script."""
        with get_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return HealthOut(status="ok", version=__version__, database=get_engine(url).dialect.name)

    _document_permissions(app.router.routes)
    _document_security(app)
    return app
