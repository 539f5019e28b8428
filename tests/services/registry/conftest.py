"""Builders for registry tests: keys, accounts, and the Zhejiang mussel project with 2,223 t issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from citycarbon.domain.sinks.project import Participant, ProjectStatus, ProjectType
from citycarbon.services import registry_accounts, registry_mrv, registry_operations, registry_projects
from citycarbon.services.registry_keys import create_key_pair

HOUSEHOLDS = [("王", 1300), ("李", 900), ("张", 820), ("陈", 760), ("刘", 705), ("杨", 610), ("赵", 450)]
ACTOR = "test"


@dataclass(frozen=True)
class Registry:
    """A database holding the mussel project, with the keys used to sign."""

    url: str
    verifier_key: Path
    registry_key: Path


def build_registry(url: str, folder: Path, harvest_t: int = 5545, issue: bool = True) -> Registry:
    """Accounts COOP (owner), FUND, BUYER-A/B (approved bidders); MUSSEL-01 registered and issued."""
    verifier_key, registry_key = folder / "verifier.key", folder / "registry.key"
    if not verifier_key.exists():
        create_key_pair(verifier_key)
        create_key_pair(registry_key)
    for code in ("COOP", "FUND", "BUYER-A", "BUYER-B"):
        registry_accounts.open_account(url, code, f"holder of {code}", ACTOR)
    for code in ("BUYER-A", "BUYER-B"):
        registry_accounts.approve_bidder(url, code, ACTOR)
    people = [Participant(participant_name=n, share_weight=w) for n, w in HOUSEHOLDS]
    spec = registry_projects.ProjectSpec(
        "MUSSEL-01", "贻贝养殖碳汇", ProjectType.SHELLFISH, "331082", "COOP", people, 60.0, "FUND"
    )
    registry_projects.create_project(url, spec, ACTOR)
    registry_projects.change_project_status(url, "MUSSEL-01", ProjectStatus.SUBMITTED, ACTOR)
    registry_projects.change_project_status(url, "MUSSEL-01", ProjectStatus.REGISTERED, ACTOR)
    period = (dt.date(2023, 1, 1), dt.date(2023, 10, 31))
    summary = registry_mrv.submit_monitoring_report(
        url, "MUSSEL-01", 2023, period, [("mussel", Decimal(harvest_t))], ACTOR
    )
    registry_mrv.verify_report(url, summary.report_id, "某核查机构", verifier_key, ACTOR)
    if issue:
        registry_operations.issue_units(url, summary.report_id, ACTOR)
    return Registry(url, verifier_key, registry_key)


@pytest.fixture
def registry(db_url: str, tmp_path: Path) -> Registry:
    return build_registry(db_url, tmp_path)


@pytest.fixture
def pg_url(pg_database: str) -> str:
    """The per-worker PostgreSQL database, emptied (for tests that need real row locks)."""
    from sqlalchemy import text

    from citycarbon.store.db import get_engine
    from citycarbon.store.tables import Base

    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with get_engine(pg_database).begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    return pg_database
