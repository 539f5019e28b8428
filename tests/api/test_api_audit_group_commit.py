"""Group-committed audit events: durable before the answer, shared commits, failures refuse.

Also the freshness guarantees of the fast profile path: with every cache warm, a revoked or
expired token or consent is refused on the very next request.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services import rating_port
from citycarbon.services.accounts import digest
from citycarbon.services.audit import AuditGroupCommit, AuditNotRecorded, event_values
from citycarbon.services.caller import Caller
from citycarbon.settings import Settings
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ApiToken, AuditEvent, Consent

City = Any
TOMORROW = (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=1)).isoformat()
BANK_CALLER = Caller(
    Principal(user_id=7, username="officer", organisation_id=3, roles=frozenset({Role.BANK}))
)


def _event(subject: int) -> dict[str, Any]:
    return event_values(BANK_CALLER, action="read", resource="test", subject_organisation_id=subject)


def _events(url: str) -> list[int | None]:
    with unit_of_work(url) as session:
        return list(
            session.execute(select(AuditEvent.subject_organisation_id).order_by(AuditEvent.id)).scalars()
        )


def test_event_is_committed_before_append_returns_even_if_the_process_is_killed_at_once(db_url: str) -> None:
    # The child kills itself with SIGKILL the moment append returns: no clean-up, no atexit.
    script = textwrap.dedent(
        f"""
        import asyncio, os, signal
        from citycarbon.domain.access.roles import Principal
        from citycarbon.services.audit import AuditGroupCommit, event_values
        from citycarbon.services.caller import Caller
        caller = Caller(Principal(user_id=1, username="bank"))
        asyncio.run(AuditGroupCommit({db_url!r}).append(
            event_values(caller, action="read", resource="test", subject_organisation_id=42)))
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    child = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert child.returncode == -9, child.stderr
    assert _events(db_url) == [42]


def test_concurrent_events_share_commits_and_all_are_recorded(db_url: str) -> None:
    writer = AuditGroupCommit(db_url)

    async def burst() -> None:
        await asyncio.gather(*(writer.append(_event(i)) for i in range(1, 201)))

    asyncio.run(burst())
    assert sorted(e for e in _events(db_url) if e is not None) == list(range(1, 201))
    # 200 events arrived while the first commit ran, so far fewer than 200 commits were needed.
    assert 1 <= writer.commit_count < 200


def test_a_failed_commit_raises_in_every_waiting_request(tmp_path: Any) -> None:
    writer = AuditGroupCommit(f"sqlite:///{tmp_path}/no-tables.sqlite3")

    async def two() -> list[Any]:
        return await asyncio.gather(
            writer.append(_event(1)), writer.append(_event(2)), return_exceptions=True
        )

    outcomes = asyncio.run(two())
    assert [type(o) for o in outcomes] == [AuditNotRecorded, AuditNotRecorded]
    assert writer.commit_count == 0


def _grant(city: City) -> int:
    body = {"bank_uscc": city.bank_uscc, "purpose": "碳效贷", "valid_until_date": TOMORROW}
    response = city.client.post("/api/v1/consents", json=body, headers=city.headers("enterprise_a"))
    assert response.status_code == 201, response.text
    consent_id: int = response.json()["consent_id"]
    return consent_id


def _profile(city: City) -> Any:
    return city.client.get(f"/api/v1/green-finance/profiles/{city.uscc_a}", headers=city.headers("bank"))


def _warm(city: City) -> None:
    assert [_profile(city).status_code for _ in range(5)] == [200] * 5


def test_each_consented_read_is_on_record_when_its_answer_arrives(city: City) -> None:
    _grant(city)
    for expected in range(1, 4):
        assert _profile(city).status_code == 200
        with unit_of_work(city.url) as session:
            reads = session.execute(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "read")
            ).scalar()
        assert reads == expected


def test_revoked_token_is_refused_at_once_with_caches_warm(city: City) -> None:
    _grant(city)
    _warm(city)
    with unit_of_work(city.url) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_sha256 == digest(city.tokens["bank"]))
            .values(revoked_at=dt.datetime.now(dt.UTC))
        )
    refused = _profile(city)
    assert refused.status_code == 401 and "was revoked on" in refused.json()["detail"]


def test_expired_token_is_refused_at_once_with_caches_warm(city: City) -> None:
    _grant(city)
    _warm(city)
    with unit_of_work(city.url) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_sha256 == digest(city.tokens["bank"]))
            .values(expires_at=dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1))
        )
    assert _profile(city).status_code == 401


def test_revoked_and_expired_consents_are_refused_at_once_with_caches_warm(city: City) -> None:
    consent_id = _grant(city)
    _warm(city)
    with unit_of_work(city.url) as session:
        session.execute(
            update(Consent).where(Consent.id == consent_id).values(valid_until_date=dt.date(2020, 1, 31))
        )
    expired = _profile(city)
    assert expired.status_code == 403 and "expired after 2020-01-31" in expired.json()["detail"]
    with unit_of_work(city.url) as session:
        session.execute(
            update(Consent)
            .where(Consent.id == consent_id)
            .values(valid_until_date=dt.date(2100, 1, 1), revoked_at=dt.datetime.now(dt.UTC))
        )
    revoked = _profile(city)
    assert revoked.status_code == 403 and "revoked" in revoked.json()["detail"]
    refusals = [
        e["action"]
        for e in city.client.get("/api/v1/audit-events", headers=city.headers("enterprise_a")).json()["items"]
    ]
    assert refusals[:2] == ["refused", "refused"]


def test_profile_is_not_answered_when_its_audit_event_cannot_be_committed(
    city: City, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _grant(city)
    broken = AuditGroupCommit(f"sqlite:///{tmp_path}/no-audit-table.sqlite3")
    monkeypatch.setattr("citycarbon.services.green_finance.group_commit", lambda url: broken)
    client = TestClient(
        create_app(city.url, Settings(import_worker_enabled=False)), raise_server_exceptions=False
    )
    with client:
        refused = client.get(f"/api/v1/green-finance/profiles/{city.uscc_a}", headers=city.headers("bank"))
    assert refused.status_code == 503 and refused.headers["retry-after"] == "1"
    assert refused.headers["content-type"] == "application/problem+json"
    assert "years" not in refused.json()


def test_cached_profile_follows_new_production_data_and_a_new_rating_source(city: City) -> None:
    _grant(city)
    _warm(city)
    before = _profile(city).json()["years"][0]
    assert before["year"] == 2024 and before["output_value_10k_cny"] is None
    records = [{"period": "2024-03", "output_value_10k_cny": 250}]
    written = city.client.post(
        f"/api/v1/organisations/{city.org_a}/production",
        json={"records": records},
        headers=city.headers("admin"),
    )
    assert written.status_code == 201, written.text
    after = _profile(city).json()["years"][0]
    # Same emissions; intensity = total tCO2e / 250 (10^4 CNY) now that output exists.
    assert after["total_tco2e"] == before["total_tco2e"]
    assert after["output_value_10k_cny"] == 250
    assert after["intensity_tco2e_per_10k_cny"] == pytest.approx(before["total_tco2e"] / 250)

    def source(session: Any, organisation_id: int) -> Any:
        return SimpleNamespace(grade="B", trend=None, period_code="2024")

    rating_port.use_rating_source(source)
    try:
        assert _profile(city).json()["rating"] == {"grade": "B", "trend": None, "period_code": "2024"}
    finally:
        rating_port.reset_rating_source()
