from __future__ import annotations

from fastapi.testclient import TestClient

from citycarbon.api.app import create_app


def test_health_answers_with_database_dialect(db_url: str) -> None:
    client = TestClient(create_app(db_url))
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] in {"sqlite", "postgresql"}
    assert "citycarbon" in client.get("/").text
