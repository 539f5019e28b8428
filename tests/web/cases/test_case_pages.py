"""Case pages render in Chinese and English, and refuse readers without the permission."""

from __future__ import annotations

from fastapi.testclient import TestClient

from citycarbon.api.app import create_app
from citycarbon.services.demo_users import DEMO_PASSWORD
from citycarbon.settings import Settings


def _client(url: str, username: str) -> TestClient:
    client = TestClient(create_app(url, Settings(import_worker_enabled=False, rate_limit_per_second=1000.0)))
    assert client.post("/login", data={"username": username, "password": DEMO_PASSWORD}).status_code == 200
    return client


def test_case_pages_in_both_languages_and_refusals(demo_city) -> None:
    analyst = _client(demo_city.url, "demo-analyst")
    zh = analyst.get("/cases")
    assert zh.status_code == 200 and "整改案件" in zh.text and 'id="nav-cases"' in zh.text
    en = analyst.get("/cases/metrics?lang=en")
    assert en.status_code == 200 and "Average handling days" in en.text and "chart-case-handling" in en.text
    firm = _client(demo_city.url, "demo-enterprise")
    assert firm.get("/cases").status_code == 200
    assert firm.get("/cases/metrics").status_code == 403
    bank = _client(demo_city.url, "demo-bank")
    assert bank.get("/cases").status_code == 403 and 'id="nav-cases"' not in bank.get("/bank").text
