"""The enterprise page shows the firm's rank by K in its industry and county, computed on read.

The small rated city of ``tests/services/efficiency/conftest.py``: B (K = 0.875) is second of
the three rated C3411 firms of county 331002.
"""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Role
from citycarbon.services.demo_users import DEMO_PASSWORD
from citycarbon.services.rating import rate, read_grades
from citycarbon.services.user_admin import RoleGrant, add_user
from citycarbon.settings import Settings
from citycarbon.store.db import unit_of_work

from ..services.efficiency.conftest import B, D, load_city, options


def _signed_in(url: str, username: str) -> TestClient:
    settings = Settings(import_worker_enabled=False, rate_limit_per_second=1000.0)  # type: ignore[call-arg]
    client = TestClient(create_app(url, settings))
    answer = client.post("/login", data={"username": username, "password": DEMO_PASSWORD})
    assert answer.status_code == 200, answer.text
    return client


def _text(page: str, element_id: str) -> str | None:
    found = re.search(rf'id="{element_id}">([^<]*)<', page)
    return found.group(1) if found else None


def test_grade_tile_shows_ranks_in_industry_and_county(db_url: str, tmp_path: Path) -> None:
    load_city(db_url, tmp_path)
    rate(db_url, "2024", options())
    ids = dict(read_grades(db_url, "2024", "huzhou").select("uscc", "organisation_id").iter_rows())
    with unit_of_work(db_url) as session:
        add_user(
            session,
            username="ranks-analyst",
            password=DEMO_PASSWORD,
            display_name="analyst",
            organisation_id=None,
            roles=[RoleGrant(Role.ANALYST, region_code="331002")],
        )
    client = _signed_in(db_url, "ranks-analyst")
    zh = client.get(f"/organisations/{ids[B]}").text
    assert _text(zh, "rank-industry") == "行业 C3411（锅炉及辅助设备制造） 第 2 / 3 名"
    assert _text(zh, "rank-county") == "区县 椒江区 331002 第 2 / 3 名"
    en = client.get(f"/organisations/{ids[B]}?lang=en").text
    assert _text(en, "rank-industry") == "Rank 2 of 3 in industry C3411（锅炉及辅助设备制造）"
    assert _text(en, "rank-county") == "Rank 2 of 3 in county 椒江区 331002"
    unrated = client.get(f"/organisations/{ids[D]}").text  # not rated: no grade, no ranks
    assert 'id="rank-industry"' not in unrated and 'id="rank-county"' not in unrated
