"""Synergy-index endpoints: published district scores for all, enterprise scores by scope."""

from __future__ import annotations

from typing import Any

import pytest

from citycarbon.services.indicator_evaluation import evaluate_quarter

City = Any


@pytest.fixture
def evaluated(city: City) -> City:
    evaluate_quarter(city.url, "2024Q1", levels=["county", "city", "park", "enterprise"])
    return city


def test_published_ranking_and_drill_down_are_open_to_the_public(evaluated: City) -> None:
    board = evaluated.client.get("/api/v1/index/regions", headers=evaluated.headers(None))
    assert board.status_code == 200, board.text
    body = board.json()
    assert body["period"] == "2024-Q1" and [d["code"] for d in body["dimensions"]] == ["A", "B", "C"]
    assert sorted(e["rank"] for e in body["entities"]) == [1, 2]
    detail = evaluated.client.get("/api/v1/index/regions/331002", headers=evaluated.headers(None))
    assert detail.status_code == 200
    assert len(detail.json()["nodes"]) == 52
    definition = evaluated.client.get("/api/v1/index/definition", headers=evaluated.headers(None)).json()
    assert definition["counts_by_depth"] == {"0": 1, "1": 3, "2": 6, "3": 15, "4": 27}


def test_unknown_quarter_is_a_translated_404(evaluated: City) -> None:
    answer = evaluated.client.get(
        "/api/v1/index/regions", params={"period": "2019-Q1"}, headers=evaluated.headers(None, "zh-CN")
    )
    assert answer.status_code == 404
    assert answer.json()["detail"] == "2019-Q1 尚未评价 county 级指数"


@pytest.mark.parametrize(
    ("who", "target", "status"),
    [
        (None, "org_a", 401),
        ("enterprise_a", "org_a", 200),
        ("enterprise_a", "org_b", 403),
        ("analyst", "org_a", 200),  # analyst of 331002, where org_a is
        ("admin", "org_b", 200),
        ("bank", "org_a", 403),
        ("public", "org_a", 403),
    ],
)
def test_enterprise_scores_need_index_read_and_scope(
    evaluated: City, who: str | None, target: str, status: int
) -> None:
    path = f"/api/v1/index/organisations/{getattr(evaluated, target)}"
    answer = evaluated.client.get(path, headers=evaluated.headers(who))
    assert answer.status_code == status, answer.text
    if status == 200:
        assert answer.json()["level"] == "enterprise"


def test_parks_need_index_read(evaluated: City) -> None:
    assert evaluated.client.get("/api/v1/index/parks", headers=evaluated.headers(None)).status_code == 401
    assert (
        evaluated.client.get("/api/v1/index/parks", headers=evaluated.headers("analyst")).status_code == 200
    )
