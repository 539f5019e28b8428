"""Case API: allowed and forbidden paths for each role, one case walked through its states."""

from __future__ import annotations

import datetime as dt

from citycarbon.store import case_tables  # noqa: F401  (registers the tables for the per-test TRUNCATE)


def _open(city, who: str = "analyst", org: int | None = None) -> int:
    response = city.client.post(
        "/api/v1/cases",
        json={
            "organisation_id": org or city.org_a,
            "severity": "high",
            "title": "用电量与电网数据不符",
            "department": "执法一队",
        },
        headers=city.headers(who),
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


def _act(city, who: str, case_id: int, action: str, **extra: object) -> object:
    return city.client.post(
        f"/api/v1/cases/{case_id}/transitions", json={"action": action, **extra}, headers=city.headers(who)
    )


def test_a_case_walks_through_its_states_over_the_api(city) -> None:
    case_id = _open(city)
    assert _act(city, "analyst", case_id, "assign", department="执法一队").status_code == 200
    assert _act(city, "analyst", case_id, "start_inspection", inspection_mode="on_site").status_code == 200
    assert _act(city, "analyst", case_id, "require_rectification", note="整改").status_code == 200
    upload = city.client.post(
        f"/api/v1/cases/{case_id}/evidence",
        files={"file": ("照片.jpg", b"\xff\xd8jpeg", "image/jpeg")},
        data={"note": "new meter"},
        headers=city.headers("enterprise_a"),
    )
    assert upload.status_code == 201, upload.text
    assert _act(city, "enterprise_a", case_id, "submit").status_code == 200
    passed = _act(city, "analyst", case_id, "verify_pass")
    assert passed.status_code == 200 and passed.json()["to_state"] == "closed"
    rating = city.client.post(
        f"/api/v1/cases/{case_id}/rating", json={"score": 5}, headers=city.headers("enterprise_a")
    )
    assert rating.status_code == 201
    detail = city.client.get(f"/api/v1/cases/{case_id}", headers=city.headers("enterprise_a")).json()
    assert [t["to_state"] for t in detail["transitions"]] == [
        "open",
        "assigned",
        "inspecting",
        "rectifying",
        "verifying",
        "closed",
    ]
    assert detail["ratings"][0]["score"] == 5 and detail["may_rate"] is False
    assert detail["allowed_actions"] == []  # enterprises cannot reopen
    evidence = detail["evidence"][0]
    download = city.client.get(
        f"/api/v1/cases/{case_id}/evidence/{evidence['evidence_id']}", headers=city.headers("analyst")
    )
    assert download.content == b"\xff\xd8jpeg" and download.headers["x-content-sha256"] == evidence["sha256"]
    listed = city.client.get("/api/v1/cases?state=closed", headers=city.headers("enterprise_a")).json()
    assert [c["case_id"] for c in listed["items"]] == [case_id]
    today = dt.date.today()
    metrics = city.client.get(
        f"/api/v1/cases/metrics?start={today - dt.timedelta(days=1)}&end={today + dt.timedelta(days=1)}",
        headers=city.headers("analyst"),
    )
    assert metrics.status_code == 200, metrics.text
    assert metrics.json()["total"]["cases_closed"] == 1 and metrics.json()["total"]["mean_satisfaction"] == 5


def test_forbidden_paths(city) -> None:
    case_id = _open(city)
    other = _open(city, "admin", city.org_b)  # Linhai: outside the analyst's Jiaojiang region
    assert city.client.get("/api/v1/cases", headers=city.headers(None)).status_code == 401
    assert city.client.get("/api/v1/cases", headers=city.headers("bank")).status_code == 403
    assert city.client.get("/api/v1/cases", headers=city.headers("verifier")).status_code == 403
    assert (
        city.client.get(f"/api/v1/cases/{case_id}", headers=city.headers("enterprise_b")).status_code == 403
    )
    assert city.client.get(f"/api/v1/cases/{other}", headers=city.headers("analyst")).status_code == 403
    assert city.client.get("/api/v1/cases/999999", headers=city.headers("admin")).status_code == 404
    refused = city.client.post(
        "/api/v1/cases",
        json={"organisation_id": city.org_b, "severity": "low", "title": "x"},
        headers=city.headers("analyst"),
    )
    assert refused.status_code == 403
    assert (
        city.client.post(
            "/api/v1/cases",
            json={"organisation_id": city.org_a, "severity": "low", "title": "x"},
            headers=city.headers("enterprise_a"),
        ).status_code
        == 403
    )
    role = _act(city, "enterprise_a", case_id, "assign")
    assert role.status_code == 403
    assert role.json()["detail"] == (
        "The role enterprise may not take the action assign on a case; allowed roles: admin, analyst"
    )
    illegal = _act(city, "analyst", case_id, "verify_pass")
    assert illegal.status_code == 409
    assert illegal.json()["detail"] == (
        "A case in state open cannot take the action verify_pass; it is allowed from: verifying"
    )
    chinese = city.client.post(
        f"/api/v1/cases/{case_id}/transitions",
        json={"action": "verify_pass"},
        headers=city.headers("analyst", "zh-CN"),
    )
    assert "verify_pass" in chinese.json()["detail"] and "状态" in chinese.json()["detail"]
    assert _act(city, "analyst", case_id, "teleport").status_code == 422
    assert (
        city.client.post(
            f"/api/v1/cases/{case_id}/rating", json={"score": 4}, headers=city.headers("analyst")
        ).status_code
        == 403
    )
    assert (
        city.client.post(
            f"/api/v1/cases/{case_id}/rating", json={"score": 9}, headers=city.headers("enterprise_a")
        ).status_code
        == 422
    )
    assert (
        city.client.get(
            "/api/v1/cases/metrics?start=2026-01-01&end=2026-02-01", headers=city.headers("enterprise_a")
        ).status_code
        == 403
    )


def test_evidence_upload_respects_the_body_limit(city, client_with) -> None:
    case_id = _open(city)
    for action, extra in (
        ("assign", {}),
        ("start_inspection", {"inspection_mode": "online"}),
        ("require_rectification", {}),
    ):
        assert _act(city, "analyst", case_id, action, **extra).status_code == 200
    small = client_with(max_request_bytes=2048)
    response = small.post(
        f"/api/v1/cases/{case_id}/evidence",
        files={"file": ("big.pdf", b"x" * 10_000)},
        headers=city.headers("enterprise_a"),
    )
    assert response.status_code == 413
