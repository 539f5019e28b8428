"""The web application: JSON API under ``/api/v1`` and the (for now minimal) home page."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from sqlalchemy import text

from citycarbon import __version__
from citycarbon.settings import get_settings
from citycarbon.store.db import get_engine

HOME = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>citycarbon 碳管理服务平台</title></head>
<body><h1>citycarbon 碳管理服务平台</h1>
<p>Carbon management service centre platform {version}.</p>
<ul><li><a href="/health">/health</a></li>
<li><a href="/docs">API 文档 / API docs</a></li></ul></body></html>"""


def create_app(database_url: str | None = None) -> FastAPI:
    """Build the application bound to ``database_url`` (default: settings)."""
    url = database_url or get_settings().database_url
    app = FastAPI(title="citycarbon", version=__version__, openapi_url="/api/v1/openapi.json")

    @app.get("/health", tags=["platform"])
    def health() -> dict[str, Any]:
        """Liveness and database reachability, for load balancers and the install script."""
        with get_engine(url).connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": get_engine(url).dialect.name}

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home() -> str:
        return HOME.format(version=__version__)

    return app
