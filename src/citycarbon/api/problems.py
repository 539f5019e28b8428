"""Errors as RFC 9457 problem details (``application/problem+json``) in the caller's language.

Every error the services raise carries an English message template; here it is translated per
``Accept-Language`` (zh-CN by default, en) and placed in ``detail``, with a translated ``title``
for the status and a stable ``type`` URI per error class that clients can branch on. No
traceback ever reaches a client.

References
----------
RFC 9457, Problem Details for HTTP APIs (2023).
"""

from __future__ import annotations

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from citycarbon.api.limits import PayloadTooLarge, RateLimited
from citycarbon.domain.access.policy import Forbidden, NotAuthenticated
from citycarbon.domain.errors import CityCarbonError, ReferenceDataError, ValidationFailed
from citycarbon.domain.finance.pricing import QuoteUnavailable
from citycarbon.i18n import translator
from citycarbon.services.audit import AuditNotRecorded
from citycarbon.services.platform_errors import Conflict, NotFound
from citycarbon.services.registry_journal import SealerBusy

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/problem+json"
TYPE_BASE = "https://citycarbon.org/problems/"
MSG_INVALID_REQUEST = "The request is not valid; see errors for each field"
MSG_INTERNAL = "An internal error occurred; it has been logged"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request too large",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}

#: Most specific class first: the first match decides the status.
STATUS_BY_ERROR: tuple[tuple[type[CityCarbonError], int], ...] = (
    (NotAuthenticated, 401),
    (Forbidden, 403),
    (NotFound, 404),
    (Conflict, 409),
    (QuoteUnavailable, 409),
    (RateLimited, 429),
    (ReferenceDataError, 500),
    (AuditNotRecorded, 503),
    (SealerBusy, 503),
)


def _slug(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def problem_response(
    request: Request, status: int, detail: str, kind: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    """Render one problem document; ``detail`` must already be translated."""
    tr = translator(request.headers.get("accept-language"))
    body = {
        "type": TYPE_BASE + kind,
        "title": tr(TITLES.get(status, "Error")),
        "status": status,
        "detail": detail,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def status_of(error: CityCarbonError) -> int:
    """HTTP status for a service error (422 for any other input problem)."""
    return next((status for cls, status in STATUS_BY_ERROR if isinstance(error, cls)), 422)


async def _service_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, CityCarbonError)
    tr = translator(request.headers.get("accept-language"))
    status = status_of(error)
    if status == 500:
        log.error("reference data problem: %s", error)
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    if isinstance(error, ValidationFailed):
        extra["problems"] = [
            {"row": p.row, "column": p.column, "message": p.render(tr)} for p in error.problems[:1000]
        ]
    if isinstance(error, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers["Retry-After"] = str(error.params["seconds"])
    if isinstance(error, SealerBusy):
        headers["Retry-After"] = "5"
    if isinstance(error, AuditNotRecorded):
        log.error("audit group commit failed: the read was refused")
        headers["Retry-After"] = "1"
    return problem_response(request, status, error.render(tr), _slug(type(error).__name__), headers, **extra)


async def _request_invalid(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    tr = translator(request.headers.get("accept-language"))
    errors = [
        {"location": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in error.errors()
    ]
    return problem_response(request, 422, tr(MSG_INVALID_REQUEST), "request-invalid", errors=errors)


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    tr = translator(request.headers.get("accept-language"))
    if isinstance(error, PayloadTooLarge):
        return problem_response(request, 413, error.render(tr), "payload-too-large")
    detail = tr(TITLES.get(error.status_code, "Error")) if error.status_code in TITLES else str(error.detail)
    return problem_response(
        request, error.status_code, detail, f"http-{error.status_code}", dict(error.headers or {})
    )


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    tr = translator(request.headers.get("accept-language"))
    return problem_response(request, 500, tr(MSG_INTERNAL), "internal-error")


def install_problem_handlers(app: FastAPI) -> None:
    """Route every error through the problem renderers."""
    app.add_exception_handler(CityCarbonError, _service_error)
    app.add_exception_handler(RequestValidationError, _request_invalid)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
