"""GET /api/v1/registry/public: the public registry is open to anonymous callers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from fastapi.testclient import TestClient

from citycarbon.api.app import create_app
from citycarbon.domain.sinks.project import ProjectStatus, ProjectType
from citycarbon.services import registry_accounts, registry_mrv, registry_operations, registry_projects
from citycarbon.services.registry_keys import create_key_pair

from .conftest import platform_settings


def test_public_registry_lists_issuance_and_retirement(db_url: str, tmp_path: Path) -> None:
    for code in ("COOP", "BANK"):
        registry_accounts.open_account(db_url, code, code, "test")
    spec = registry_projects.ProjectSpec("MUSSEL-01", "贻贝养殖碳汇", ProjectType.SHELLFISH, "331082", "COOP")
    registry_projects.create_project(db_url, spec, "test")
    for status in (ProjectStatus.SUBMITTED, ProjectStatus.REGISTERED):
        registry_projects.change_project_status(db_url, "MUSSEL-01", status, "test")
    period = (dt.date(2023, 1, 1), dt.date(2023, 10, 31))
    report = registry_mrv.submit_monitoring_report(
        db_url, "MUSSEL-01", 2023, period, [("mussel", Decimal(5545))], "t"
    )
    create_key_pair(tmp_path / "v.key")
    registry_mrv.verify_report(db_url, report.report_id, "某核查机构", tmp_path / "v.key", "test")
    registry_operations.issue_units(db_url, report.report_id, "test")
    registry_operations.transfer_units(db_url, "COOP", "BANK", 2223, "test")
    registry_operations.retire_units(db_url, "BANK", 2223, "台州某银行", "2023 neutrality", "test")

    client = TestClient(create_app(db_url, platform_settings()))
    response = client.get("/api/v1/registry/public", params={"project_code": "MUSSEL-01"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["issuances"][0]["serial"] == "CN-TZ-MUSSEL-01-2023-000000001-000002223"
    assert body["issuances"][0]["verifier_name"] == "某核查机构"
    assert [(b["state"], b["beneficiary_name"]) for b in body["blocks"]] == [("retired", "台州某银行")]
    assert client.get("/api/v1/registry/public", params={"project_code": "bad code!"}).status_code == 422
