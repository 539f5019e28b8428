"""Tokens and sessions: issued once, stored hashed, refused when revoked or expired."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update

from citycarbon.services.accounts import digest
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import ApiToken

City = Any


def test_token_is_stored_only_as_its_digest(city: City) -> None:
    with unit_of_work(city.url) as session:
        stored = set(session.execute(select(ApiToken.token_sha256)).scalars())
    assert digest(city.tokens["bank"]) in stored
    assert city.tokens["bank"] not in stored


def test_revoked_token_is_refused_with_the_reason(city: City) -> None:
    created = city.client.post(
        "/api/v1/tokens", json={"name": "laptop", "days": 7}, headers=city.headers("enterprise_a")
    )
    assert created.status_code == 201
    token = created.json()["token"]
    mine = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
    assert city.client.get("/api/v1/me", headers=mine).json()["username"] == "enterprise_a"
    revoked = city.client.delete(f"/api/v1/tokens/{created.json()['token_id']}", headers=mine)
    assert revoked.json()["revoked_at"] is not None
    refused = city.client.get("/api/v1/me", headers=mine)
    assert refused.status_code == 401 and "was revoked on" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"


def test_expired_token_is_refused_with_the_reason(city: City) -> None:
    with unit_of_work(city.url) as session:
        session.execute(
            update(ApiToken)
            .where(ApiToken.token_sha256 == digest(city.tokens["bank"]))
            .values(expires_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))
        )
    refused = city.client.get("/api/v1/me", headers=city.headers("bank", "zh-CN"))
    assert refused.status_code == 401 and refused.json()["detail"] == "API 令牌或会话已于 2025-01-01 过期"


def test_unknown_token_and_other_users_token_ids(city: City) -> None:
    assert city.client.get("/api/v1/me", headers={"Authorization": "Bearer cct_nope"}).status_code == 401
    theirs = city.client.get("/api/v1/tokens", headers=city.headers("bank")).json()[0]["token_id"]
    assert (
        city.client.delete(f"/api/v1/tokens/{theirs}", headers=city.headers("enterprise_a")).status_code
        == 404
    )


def test_password_sign_in_opens_a_cookie_session_and_sign_out_ends_it(city: City) -> None:
    wrong = city.client.post("/api/v1/sessions", json={"username": "analyst", "password": "wrong"})
    assert wrong.status_code == 401
    signed = city.client.post(
        "/api/v1/sessions", json={"username": "analyst", "password": "correct horse battery"}
    )
    assert signed.status_code == 201
    assert city.client.get("/api/v1/me").json()["username"] == "analyst"
    assert city.client.delete("/api/v1/sessions/current").status_code == 204
    city.client.cookies.clear()
    city.client.cookies.set("citycarbon_session", signed.json()["session_secret"])
    assert city.client.get("/api/v1/me").status_code == 401
