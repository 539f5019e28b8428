"""Consent, carbon profiles, pricing rules and quotes; refusals carry the reason and are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from citycarbon.domain.identifiers.uscc import make_uscc
from citycarbon.services import rating_port
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import Consent

City = Any
TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()


def grant(city: City, until: str = TOMORROW) -> dict[str, Any]:
    body = {"bank_uscc": city.bank_uscc, "purpose": "碳效贷 application 2026-001", "valid_until_date": until}
    response = city.client.post("/api/v1/consents", json=body, headers=city.headers("enterprise_a"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def profile(city: City, who: str = "bank", lang: str = "en") -> Any:
    return city.client.get(f"/api/v1/green-finance/profiles/{city.uscc_a}", headers=city.headers(who, lang))


@dataclass(frozen=True)
class FakeRating:
    grade: str
    trend: str | None
    period_code: str


@pytest.fixture
def graded() -> Iterator[None]:
    def source(session: Session, organisation_id: int) -> FakeRating:
        return FakeRating("A", "improving", "2024")

    rating_port.use_rating_source(source)
    yield
    rating_port.reset_rating_source()


def test_bank_without_consent_is_refused_with_the_reason_and_the_attempt_is_audited(city: City) -> None:
    refused = profile(city, lang="zh-CN")
    assert refused.status_code == 403
    assert refused.headers["content-type"] == "application/problem+json"
    assert "未获得主体 91330100716105852F 授权" in refused.json()["detail"]
    events = city.client.get("/api/v1/audit-events", headers=city.headers("enterprise_a")).json()["items"]
    assert [(e["actor_username"], e["action"]) for e in events] == [("bank", "refused")]


def test_bank_with_live_consent_reads_profile_and_the_read_is_audited_with_its_purpose(city: City) -> None:
    grant(city)
    found = profile(city)
    assert found.status_code == 200, found.text
    body = found.json()
    assert body["uscc"] == city.uscc_a and body["rating"] is None and body["business_tier"] is None
    assert body["years"][0]["year"] == 2024 and body["years"][0]["total_tco2e"] > 0
    events = city.client.get("/api/v1/audit-events", headers=city.headers("enterprise_a")).json()["items"]
    read = next(e for e in events if e["action"] == "read")
    assert read["actor_username"] == "bank" and read["actor_organisation_name"] == "台州示例银行"
    assert read["purpose"] == "碳效贷 application 2026-001"


def test_revoked_consent_is_refused_at_the_next_request(city: City) -> None:
    consent = grant(city)
    assert profile(city).status_code == 200
    revoked = city.client.delete(
        f"/api/v1/consents/{consent['consent_id']}", headers=city.headers("enterprise_a")
    )
    assert revoked.json()["is_live"] is False
    refused = profile(city)
    assert refused.status_code == 403 and "revoked" in refused.json()["detail"]


def test_expired_consent_is_refused(city: City) -> None:
    with unit_of_work(city.url) as session:
        session.add(
            Consent(
                organisation_id=city.org_a,
                bank_organisation_id=city.bank,
                purpose="old loan",
                valid_until_date=dt.date(2020, 1, 31),
                granted_by_user_id=2,
            )
        )
    refused = profile(city)
    assert refused.status_code == 403 and "expired after 2020-01-31" in refused.json()["detail"]
    past = city.client.post(
        "/api/v1/consents",
        json={"bank_uscc": city.bank_uscc, "purpose": "x", "valid_until_date": "2020-01-01"},
        headers=city.headers("enterprise_a"),
    )
    assert past.status_code == 422


def test_consent_to_another_bank_does_not_count_and_only_banks_can_be_named(city: City) -> None:
    body = {"bank_uscc": city.uscc_b, "purpose": "x", "valid_until_date": TOMORROW}
    assert (
        city.client.post("/api/v1/consents", json=body, headers=city.headers("enterprise_a")).status_code
        == 422
    )
    assert city.client.post("/api/v1/consents", json=body, headers=city.headers("bank")).status_code == 403


def test_profile_shows_grade_when_ratings_exist_and_quote_applies_the_rules(city: City, graded: None) -> None:
    grant(city)
    assert profile(city).json()["rating"] == {"grade": "A", "trend": "improving", "period_code": "2024"}
    rules = {"rules": [{"grade": "A", "adjustment_bp": -30}, {"grade": "E", "adjustment_bp": 50}]}
    put = city.client.put(
        "/api/v1/green-finance/pricing-rules/tanxiaodai", json=rules, headers=city.headers("bank")
    )
    assert put.status_code == 200, put.text
    quote = city.client.post(
        "/api/v1/green-finance/quotes",
        json={"uscc": city.uscc_a, "product_code": "tanxiaodai", "base_rate_bp": 345},
        headers=city.headers("bank"),
    )
    assert quote.json() == {
        "product_code": "tanxiaodai",
        "grade": "A",
        "base_rate_bp": 345,
        "adjustment_bp": -30,
        "quoted_rate_bp": 315,
    }


def test_quote_without_grade_or_consent_is_refused(city: City) -> None:
    body = {"uscc": city.uscc_a, "product_code": "tanxiaodai", "base_rate_bp": 345}
    no_consent = city.client.post("/api/v1/green-finance/quotes", json=body, headers=city.headers("bank"))
    assert no_consent.status_code == 403
    grant(city)
    no_grade = city.client.post("/api/v1/green-finance/quotes", json=body, headers=city.headers("bank"))
    assert no_grade.status_code == 409 and "grade" in no_grade.json()["detail"]
    assert (
        city.client.post(
            "/api/v1/green-finance/quotes", json=body, headers=city.headers("enterprise_a")
        ).status_code
        == 403
    )


def test_enterprise_reads_own_profile_but_not_another(city: City) -> None:
    assert profile(city, "enterprise_a").status_code == 200
    assert profile(city, "enterprise_b").status_code == 403


def test_individual_business_tier_from_thresholds(city: City) -> None:
    org = {
        "uscc": make_uscc("92331002MA2AB0003"),
        "name": "个体户",
        "kind": "individual_business",
        "industry_code": "F52",
        "region_code": "331002",
    }
    created = city.client.post("/api/v1/organisations", json=org, headers=city.headers("admin")).json()
    # 12 months × 20 (10^4 CNY) = 240 ≥ 100 for growth, < 500 for development; 12 months ≥ 6 and ≥ 10
    records = [{"period": f"2024-{m:02d}", "output_value_10k_cny": 20} for m in range(1, 13)]
    written = city.client.post(
        f"/api/v1/organisations/{created['organisation_id']}/production",
        json={"records": records},
        headers=city.headers("admin"),
    )
    assert written.status_code == 201, written.text
    tier = city.client.get(
        f"/api/v1/organisations/{created['organisation_id']}/business-tier", headers=city.headers("admin")
    ).json()
    assert tier["tier"] == "growth" and tier["year"] == 2024
    assert tier["metrics"] == {"output_value_10k_cny": 240.0, "months_reported": 12.0}
    assert tier["threshold_set"] == "business_tiers@2026.1"
