"""Every role's allowed and forbidden paths, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

City = Any

PROBLEM = "application/problem+json"


def org_path(city: City, which: str, tail: str = "") -> str:
    return f"/api/v1/organisations/{getattr(city, which)}{tail}"


def test_anonymous_reads_reference_data_but_not_the_ledger(city: City) -> None:
    assert city.client.get("/api/v1/reference/regions", params={"parent_code": "331000"}).status_code == 200
    refused = city.client.get("/api/v1/organisations", headers=city.headers(None, "zh-CN"))
    assert refused.status_code == 401
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["detail"] == "请登录或提供 API 令牌后再使用此接口"
    english = city.client.get("/api/v1/organisations", headers=city.headers(None, "en"))
    assert english.json()["detail"] == "Sign in or present an API token to use this endpoint"


@pytest.mark.parametrize("tail", ["", "/sites", "/activity", "/production", "/results", "/business-tier"])
def test_enterprise_reads_own_organisation_but_not_another_by_changing_the_id(city: City, tail: str) -> None:
    own = city.client.get(org_path(city, "org_a", tail), headers=city.headers("enterprise_a"))
    assert own.status_code == 200, own.text
    other = city.client.get(org_path(city, "org_b", tail), headers=city.headers("enterprise_a"))
    assert other.status_code == 403
    assert other.headers["content-type"] == PROBLEM
    assert str(city.org_b) in other.json()["detail"]


def test_enterprise_cannot_write_another_organisation(city: City) -> None:
    record = {"period": "2024-03", "category": "fuel", "item": "原煤", "quantity": 10, "unit": "t"}
    refused = city.client.post(
        org_path(city, "org_b", "/activity"), json={"records": [record]}, headers=city.headers("enterprise_a")
    )
    assert refused.status_code == 403
    listed = city.client.get(org_path(city, "org_b", "/activity"), headers=city.headers("admin"))
    assert all(row["period"] != "2024-03" for row in listed.json()["items"])


def test_enterprise_writes_own_activity_and_sees_recalculated_results(city: City) -> None:
    record = {"period": "2024-03", "category": "fuel", "item": "原煤", "quantity": 10, "unit": "t"}
    written = city.client.post(
        org_path(city, "org_a", "/activity"), json={"records": [record]}, headers=city.headers("enterprise_a")
    )
    assert written.status_code == 201, written.text
    assert written.json()["written"] == 1
    results = city.client.get(
        org_path(city, "org_a", "/results"),
        params={"period_from": "2024-03", "period_to": "2024-03"},
        headers=city.headers("enterprise_a"),
    ).json()["items"]
    # 10 t raw coal × 20.908 GJ/t × 0.02637 tC/GJ × 0.94 × 44/12 = 19.003 tCO2e (README worked example / 12)
    assert results[0]["total_tco2e"] == pytest.approx(19.003, rel=1e-3)
    detail = city.client.get(
        f"/api/v1/results/{results[0]['result_id']}", headers=city.headers("enterprise_a")
    )
    line = detail.json()["lines"][0]
    assert line["factor_source"] and line["lineage_id"].startswith("fuel_cn_gbt32151@")


def test_activity_list_pages_and_filters(city: City) -> None:
    first = city.client.get(
        org_path(city, "org_a", "/activity"), params={"limit": 2}, headers=city.headers("enterprise_a")
    ).json()
    assert len(first["items"]) == 2 and first["next_offset"] == 2
    rest = city.client.get(
        org_path(city, "org_a", "/activity"),
        params={"limit": 2, "offset": 2},
        headers=city.headers("enterprise_a"),
    ).json()
    assert {r["activity_record_id"] for r in rest["items"]}.isdisjoint(
        {r["activity_record_id"] for r in first["items"]}
    )
    fuel = city.client.get(
        org_path(city, "org_a", "/activity"),
        params={"category": "electricity"},
        headers=city.headers("enterprise_a"),
    ).json()["items"]
    assert [r["category"] for r in fuel] == ["electricity"]
    capped = city.client.get(
        org_path(city, "org_a", "/activity"), params={"limit": 501}, headers=city.headers("enterprise_a")
    )
    assert capped.status_code == 422


def test_analyst_reads_only_its_region_subtree(city: City) -> None:
    assert city.client.get(org_path(city, "org_a"), headers=city.headers("analyst")).status_code == 200
    assert city.client.get(org_path(city, "org_b"), headers=city.headers("analyst")).status_code == 403
    listed = city.client.get("/api/v1/organisations", headers=city.headers("analyst")).json()["items"]
    assert [o["uscc"] for o in listed] == [city.uscc_a]
    assert city.client.post(
        org_path(city, "org_a", "/activity"), json={"records": []}, headers=city.headers("analyst")
    ).status_code in (403, 422)


def test_verifier_reads_only_assigned_organisations(city: City) -> None:
    assert (
        city.client.get(org_path(city, "org_b", "/results"), headers=city.headers("verifier")).status_code
        == 200
    )
    assert (
        city.client.get(org_path(city, "org_a", "/results"), headers=city.headers("verifier")).status_code
        == 403
    )


def test_bank_and_public_have_no_direct_ledger_access(city: City) -> None:
    for who in ("bank", "public"):
        refused = city.client.get(org_path(city, "org_a"), headers=city.headers(who))
        assert refused.status_code == 403
        assert "organisation:read" in refused.json()["detail"]
    assert city.client.get("/api/v1/me", headers=city.headers("public")).json()["roles"] == ["public"]


def test_only_admins_create_organisations_and_users(city: City) -> None:
    body = {"uscc": "91331000MA2AB00012", "name": "新企业", "industry_code": "C3411", "region_code": "331002"}
    assert (
        city.client.post("/api/v1/organisations", json=body, headers=city.headers("enterprise_a")).status_code
        == 403
    )
    created = city.client.post("/api/v1/organisations", json=body, headers=city.headers("admin"))
    assert created.status_code == 201, created.text
    again = city.client.post("/api/v1/organisations", json=body, headers=city.headers("admin"))
    assert again.status_code == 409
    user = {"username": "newbie", "password": "x" * 12, "display_name": "N", "roles": [{"role": "public"}]}
    assert city.client.post("/api/v1/users", json=user, headers=city.headers("analyst")).status_code == 403
    assert city.client.post("/api/v1/users", json=user, headers=city.headers("admin")).status_code == 201


def test_outside_reads_are_audited_and_own_reads_are_not(city: City) -> None:
    city.client.get(org_path(city, "org_a", "/activity"), headers=city.headers("enterprise_a"))
    city.client.get(org_path(city, "org_a", "/results"), headers=city.headers("analyst"))
    city.client.get(org_path(city, "org_a"), headers=city.headers("admin"))
    events = city.client.get("/api/v1/audit-events", headers=city.headers("enterprise_a")).json()["items"]
    readers = [(e["actor_username"], e["resource"]) for e in events if e["action"] == "read"]
    assert readers == [("admin", "organisation"), ("analyst", "result")]
    assert all(e["client_address"] for e in events)
    other = city.client.get(
        "/api/v1/audit-events", params={"organisation_id": city.org_b}, headers=city.headers("enterprise_a")
    )
    assert other.status_code == 403
