"""A small demo city with one account per role, and a live server for the browser tests.

The city is built once per test process through the services (demo import, rating, demo users),
on SQLite; the live server is a real uvicorn process on a free port, so the browser tests
exercise the same start-up path as ``citycarbon serve``.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Role
from citycarbon.services.demo import load_demo
from citycarbon.services.demo_users import DEMO_PASSWORD, ensure_demo_users
from citycarbon.services.rating import rate_if_needed
from citycarbon.services.user_admin import RoleGrant, add_user
from citycarbon.settings import Settings
from citycarbon.store.db import unit_of_work

#: A county of the demo city (天台县), for an analyst who may see only part of it.
COUNTY = "331023"


@dataclass(frozen=True)
class DemoCity:
    url: str
    path: Path
    accounts: dict[str, str]


@pytest.fixture(scope="session")
def demo_city(tmp_path_factory: pytest.TempPathFactory) -> DemoCity:
    path = tmp_path_factory.mktemp("web") / "demo.sqlite3"
    url = f"sqlite:///{path}"
    load_demo(url, organisations=60, years=(2023, 2024))
    rate_if_needed(url)
    accounts = {name: role for name, _, role in ensure_demo_users(url)}
    with unit_of_work(url) as session:
        add_user(
            session,
            username="county-analyst",
            password=DEMO_PASSWORD,
            display_name="county analyst",
            organisation_id=None,
            roles=[RoleGrant(Role.ANALYST, region_code=COUNTY)],
        )
    return DemoCity(url, path, accounts)


def signed_in(city: DemoCity, username: str | None) -> TestClient:
    settings = Settings(import_worker_enabled=False, rate_limit_per_second=1000.0)  # type: ignore[call-arg]
    client = TestClient(create_app(city.url, settings))
    if username is not None:
        answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
    return client


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def live_server(demo_city: DemoCity) -> Iterator[str]:
    port = _free_port()
    env = os.environ | {
        "CITYCARBON_DATABASE_URL": demo_city.url,
        "CITYCARBON_RATE_LIMIT_PER_SECOND": "1000",
        "CITYCARBON_RATE_LIMIT_BURST": "1000",
    }
    command = [sys.executable, "-m", "uvicorn", "citycarbon.api.app:create_app", "--factory"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"], env=env
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/health", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the web server did not start")
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)
