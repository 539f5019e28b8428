"""Bad input and abuse: SQL-looking text, oversized bodies, rate limits, malformed requests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

City = Any
SQL = "x'); DROP TABLE organisation; --"


def test_sql_looking_input_is_stored_as_text(city: City) -> None:
    body = {"uscc": "91331000MA2AB00012", "name": SQL, "industry_code": "C3411", "region_code": "331002"}
    created = city.client.post("/api/v1/organisations", json=body, headers=city.headers("admin"))
    assert created.status_code == 201
    again = city.client.get(
        f"/api/v1/organisations/{created.json()['organisation_id']}", headers=city.headers("admin")
    )
    assert again.json()["name"] == SQL
    found = city.client.get(
        "/api/v1/organisations", params={"name_contains": "'); DROP"}, headers=city.headers("admin")
    ).json()["items"]
    assert [o["name"] for o in found] == [SQL]
    wildcard = city.client.get(
        "/api/v1/organisations", params={"name_contains": "%"}, headers=city.headers("admin")
    )
    assert wildcard.json()["items"] == []
    with unit_of_work(city.url) as session:
        assert session.execute(select(func.count(Organisation.id))).scalar() == 4


def test_oversized_upload_is_refused_cleanly(city: City, client_with: Any) -> None:
    client = client_with(max_upload_bytes=1000)
    big = b"uscc,period,category,item,quantity,unit\n" + b"9" * 2000
    refused = client.post(
        "/api/v1/imports",
        files={"file": ("big.csv", big, "text/csv")},
        headers=city.headers("enterprise_a", "zh-CN"),
    )
    assert refused.status_code == 413
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["detail"] == "请求内容超过 1000 字节的上限"


def test_oversized_json_body_is_refused_even_without_content_length(city: City, client_with: Any) -> None:
    client = client_with(max_request_bytes=100)
    assert (
        client.post("/api/v1/tokens", json={"name": "x" * 200}, headers=city.headers("admin")).status_code
        == 413
    )

    def chunks() -> Any:
        yield b'{"name": "'
        yield b"x" * 200
        yield b'"}'

    streamed = client.post(
        "/api/v1/tokens",
        content=chunks(),
        headers=city.headers("admin") | {"Content-Type": "application/json"},
    )
    assert streamed.status_code == 413


def test_rate_limit_per_token(city: City, client_with: Any) -> None:
    client = client_with(rate_limit_per_second=0.01, rate_limit_burst=3)
    statuses = [client.get("/api/v1/me", headers=city.headers("public")).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/v1/me", headers=city.headers("public"))
    assert int(limited.headers["retry-after"]) >= 1
    assert client.get("/api/v1/me", headers=city.headers("analyst")).status_code == 200


def test_malformed_requests_are_problem_documents(city: City) -> None:
    bad = city.client.post("/api/v1/organisations", content=b"{not json", headers=city.headers("admin"))
    assert bad.status_code == 422 and bad.json()["type"].endswith("request-invalid")
    unknown = city.client.get("/api/v1/nowhere")
    assert unknown.status_code == 404 and unknown.headers["content-type"] == "application/problem+json"
    code = city.client.post(
        "/api/v1/organisations",
        json={"uscc": "91330100716105852X", "name": "n", "industry_code": "C3411", "region_code": "331002"},
        headers=city.headers("admin", "zh-CN"),
    )
    assert code.status_code == 422 and code.json()["detail"]


def test_a_nul_character_in_the_address_is_refused_before_any_route(city: City) -> None:
    # PostgreSQL text cannot hold NUL: a filter like ?state=%00 used to fail in the database (500).
    for path, params in (
        ("/api/v1/cases", {"state": "\x00", "department": "import job"}),
        ("/api/v1/organisations", {"name_contains": "a\x00b"}),
    ):
        refused = city.client.get(path, params=params, headers=city.headers("admin", "en"))
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["detail"] == (
            "The address contains a NUL character (%00), which no field may hold"
        )
    zh = city.client.get("/api/v1/cases", params={"state": "\x00"}, headers=city.headers("admin", "zh-CN"))
    assert zh.json()["detail"] == "请求地址含有 NUL 字符（%00），任何字段都不能包含该字符"
    assert (
        city.client.get("/api/v1/cases", params={"state": "open"}, headers=city.headers("admin")).status_code
        == 200
    )
