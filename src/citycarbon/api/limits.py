"""Request limits: body size (checked before and while reading) and a per-token rate limit.

The rate limit is an in-process token bucket per credential (per client address for anonymous
callers). With several server processes each keeps its own buckets, so the effective limit is
the configured rate times the number of processes — a deliberate trade for not needing a
shared store such as Redis; a deployment that needs an exact global limit puts one in front.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from citycarbon.domain.errors import CityCarbonError
from citycarbon.i18n import Translator

MSG_TOO_LARGE = "The request body is larger than the limit of {limit_bytes} bytes"
MSG_RATE_LIMITED = "Too many requests with this credential; try again in {seconds} s"
MSG_NUL_CHARACTER = "The address contains a NUL character (%00), which no field may hold"
MAX_TRACKED_KEYS = 100_000


class RateLimited(CityCarbonError):
    """The caller's bucket is empty (HTTP 429 with ``Retry-After``)."""


class PayloadTooLarge(HTTPException):
    """A body above the limit (HTTP 413); an HTTP exception so body parsers pass it through."""

    def __init__(self, limit_bytes: int) -> None:
        super().__init__(413, MSG_TOO_LARGE.format(limit_bytes=limit_bytes))
        self.limit_bytes = limit_bytes

    def render(self, translate: Translator) -> str:
        """The message in the caller's language."""
        return translate(MSG_TOO_LARGE).format(limit_bytes=self.limit_bytes)


class TokenBuckets:
    """Token buckets by key: ``rate`` tokens a second, holding at most ``burst``."""

    def __init__(self, rate: float, burst: int) -> None:
        self._rate, self._burst = rate, float(burst)
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> None:
        """Spend one token of ``key``'s bucket, or raise :class:`RateLimited`."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.pop(key, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens < 1.0:
                self._buckets[key] = (tokens, now)
                raise RateLimited(MSG_RATE_LIMITED, seconds=max(1, int((1.0 - tokens) / self._rate + 0.999)))
            self._buckets[key] = (tokens - 1.0, now)
            while len(self._buckets) > MAX_TRACKED_KEYS:
                self._buckets.popitem(last=False)


class BodySizeLimit:
    """Refuse bodies above the limit: at once from ``Content-Length``, else while streaming."""

    def __init__(self, app: ASGIApp, limit_bytes: int, upload_limit_bytes: int, upload_prefix: str) -> None:
        self.app = app
        self.limit_bytes, self.upload_limit_bytes, self.upload_prefix = (
            limit_bytes,
            upload_limit_bytes,
            upload_prefix,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Apply the limit of the request's path to its body."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        limit = self.upload_limit_bytes if path.startswith(self.upload_prefix) else self.limit_bytes
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, send, limit)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise PayloadTooLarge(limit)
            return message

        await self.app(scope, counting_receive, send)


class RefuseNulCharacters:
    """Refuse a path or query string holding a NUL character with a 422, before any route runs.

    No text the platform stores or looks up may contain NUL (PostgreSQL's text type cannot hold
    it), so a filter such as ``?state=%00`` could otherwise only fail deep in the database as
    an internal error. Bodies are checked by their schemas.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on unless its address holds a NUL."""
        if scope["type"] == "http" and (
            b"%00" in scope.get("query_string", b"")
            or b"\x00" in scope.get("query_string", b"")
            or "\x00" in str(scope.get("path", ""))
        ):
            await _problem(scope, send, 422, MSG_NUL_CHARACTER, "request-invalid")
            return
        await self.app(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, send: Send, limit: int) -> None:
    await _problem(scope, send, 413, MSG_TOO_LARGE, "payload-too-large", limit_bytes=limit)


async def _problem(scope: Scope, send: Send, status: int, message: str, kind: str, **params: Any) -> None:
    """Answer with a problem document before the application has read the request."""
    from starlette.requests import Request

    from citycarbon.api.problems import problem_response
    from citycarbon.i18n import translator

    async def no_body() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    request = Request(scope, no_body)
    tr = translator(request.headers.get("accept-language"))
    response = problem_response(request, status, tr(message).format(**params), kind)
    await response(scope, no_body, send)
