"""Server-rendered pages (Jinja2) for every role, in Chinese by default and in English.

:data:`router` gathers the page routers; :mod:`citycarbon.api.app` includes it next to the
JSON API, so pages and API share the session cookie, the permission checks and the services.
"""

from __future__ import annotations

from fastapi import APIRouter

from citycarbon.web import cases, enterprise, entry, finance, government, monitoring, pages, synergy

router = APIRouter()
for _module in (pages, government, enterprise, entry, finance, synergy, monitoring, cases):
    router.include_router(_module.router)
