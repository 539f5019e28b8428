"""Monitoring and warning routes: permissions, scope by organisation and region, evidence, problems."""

from __future__ import annotations

from citycarbon.services.monitoring_import import import_monitoring_file
from citycarbon.services.warnings import run_warnings

from ..conftest import City

OUTLETS = (
    "uscc,site_code,outlet_code,medium,expected_interval_min,limit_profile\n"
    "{a},S1,DA001,air,60,gb16297_new_source\n"
    "{b},K1,DA001,air,60,gb13223_coal_boiler_new\n"
)
READINGS = (
    "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n"
    "{a},S1,DA001,so2,2026-01-01T00:00Z,900,mg/m3\n"
    "{b},K1,DA001,so2,2026-01-01T00:00Z,90,mg/m3\n"
    "{b},K1,DA001,so2,2026-01-01T01:00Z,350,mg/m3\n"
)


def load(city: City) -> None:
    names = {"a": city.uscc_a, "b": city.uscc_b}
    import_monitoring_file(city.url, OUTLETS.format(**names).encode(), file_name="o.csv", kind="outlets")
    import_monitoring_file(city.url, READINGS.format(**names).encode(), file_name="r.csv", kind="readings")


def test_outlets_and_readings_within_scope(city: City) -> None:
    load(city)
    mine = city.client.get("/api/v1/monitoring/outlets", headers=city.headers("enterprise_a"))
    assert mine.status_code == 200
    items = mine.json()["items"]
    assert [o["organisation_id"] for o in items] == [city.org_a]
    outlet_a = items[0]["outlet_id"]
    assert {limit["pollutant_code"] for limit in items[0]["limits"]} >= {"so2", "nox", "pm", "vocs"}
    readings = city.client.get(
        f"/api/v1/monitoring/outlets/{outlet_a}/readings", headers=city.headers("enterprise_a")
    )
    assert readings.json()["items"][0]["value"] == 900.0
    assert readings.json()["items"][0]["observed_at"] == "2026-01-01T00:00:00Z"
    other = city.client.get(
        f"/api/v1/monitoring/outlets/{outlet_a}/readings", headers=city.headers("enterprise_b")
    )
    assert other.status_code == 403
    # The analyst of 331002 (Jiaojiang) sees A's outlet but not B's (Linhai).
    seen = city.client.get("/api/v1/monitoring/outlets", headers=city.headers("analyst")).json()["items"]
    assert [o["organisation_id"] for o in seen] == [city.org_a]
    assert city.client.get("/api/v1/monitoring/outlets", headers=city.headers("bank")).status_code == 403
    assert (
        city.client.get("/api/v1/monitoring/outlets/999999", headers=city.headers("admin")).status_code == 404
    )


def test_warnings_with_evidence_and_runs_need_the_admin(city: City) -> None:
    load(city)
    assert (
        city.client.post("/api/v1/warnings/runs?period=2026-01", headers=city.headers("analyst")).status_code
        == 403
    )
    run = city.client.post("/api/v1/warnings/runs?period=2026-01", headers=city.headers("admin"))
    assert run.status_code == 200 and run.json()["found_by_rule"]["limit_exceeded"] == 2
    listed = city.client.get("/api/v1/warnings?rule_id=limit_exceeded", headers=city.headers("admin")).json()[
        "items"
    ]
    severities = {w["organisation_id"]: w["severity"] for w in listed}
    # A: 900 / 550 = 1.64 → high; B: 350 / 100 = 3.5 → critical (coal-boiler SO2 limit 100 mg/m3)
    assert severities == {city.org_a: "high", city.org_b: "critical"}
    own = city.client.get("/api/v1/warnings", headers=city.headers("enterprise_b")).json()["items"]
    assert {w["organisation_id"] for w in own} == {city.org_b}
    detail = city.client.get(f"/api/v1/warnings/{own[0]['warning_id']}", headers=city.headers("enterprise_a"))
    assert detail.status_code == 403
    evidence = {e["name"]: e for e in listed[0]["evidence"]}
    assert {"max_value", "limit_value", "max_ratio", "exceedance_count"} <= set(evidence)
    assert run_warnings(city.url, "2026-01").new_count == 0


def test_an_import_with_errors_is_a_problem_document_in_chinese(city: City) -> None:
    bad = "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n{a},S1,DA001,sox,2026-01-01,1,mg/m3\n"
    answer = city.client.post(
        "/api/v1/monitoring/imports/readings",
        files={"file": ("bad.csv", bad.format(a=city.uscc_a).encode(), "text/csv")},
        headers=city.headers("admin", lang="zh-CN"),
    )
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "未知污染物" in answer.text
    assert (
        city.client.post(
            "/api/v1/monitoring/imports/readings",
            files={"file": ("bad.csv", b"x", "text/csv")},
            headers=city.headers("enterprise_a"),
        ).status_code
        == 403
    )
