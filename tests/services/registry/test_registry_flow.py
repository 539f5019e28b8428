"""The mussel example through the services: MRV, issuance, transfers, retirement, verification."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import text

from citycarbon.domain.sinks.blocks import UnitState
from citycarbon.domain.sinks.errors import InsufficientUnits, RegistryError
from citycarbon.domain.sinks.project import ProjectStatus, ProjectType
from citycarbon.services import registry_mrv, registry_operations, registry_projects
from citycarbon.services.registry_accounts import account_holdings
from citycarbon.services.registry_export import create_checkpoint, export_journal, verify_export
from citycarbon.services.registry_keys import load_public_key, public_key_hex
from citycarbon.services.registry_public import public_registry
from citycarbon.services.registry_verify import verify_registry
from citycarbon.store.db import get_engine

from .conftest import ACTOR, Registry, build_registry


def active(url: str, account: str) -> int:
    return sum(h.quantity_tco2e for h in account_holdings(url, account) if h.state == "active")


def test_issuance_of_2223_t_from_a_verified_report(registry: Registry) -> None:
    view = public_registry(registry.url)
    assert [(i.serial, i.quantity_tco2e, i.verifier_name) for i in view.issuances] == [
        ("CN-TZ-MUSSEL-01-2023-000000001-000002223", 2223, "某核查机构")
    ]
    assert active(registry.url, "COOP") == 2223
    report = verify_registry(registry.url)
    assert report.ok and report.reports_checked == 1


def test_transfer_retire_cancel_keep_every_serial_in_one_place(registry: Registry) -> None:
    url = registry.url
    moved = registry_operations.transfer_units(url, "COOP", "BUYER-A", 1000, ACTOR)
    assert [(m.serial_start, m.serial_end) for m in moved.movements] == [(1, 1000)]
    registry_operations.transfer_units(url, "BUYER-A", "BUYER-B", 300, ACTOR, "MUSSEL-01", 2023)
    registry_operations.retire_units(url, "BUYER-B", 120, "台州某银行", "2023 neutrality", ACTOR)
    registry_operations.retire_units(
        url, "COOP", 23, "registry", "reversal", ACTOR, state=UnitState.CANCELLED
    )
    with pytest.raises(InsufficientUnits):
        registry_operations.transfer_units(url, "BUYER-B", "COOP", 181, ACTOR)
    assert (active(url, "COOP"), active(url, "BUYER-A"), active(url, "BUYER-B")) == (1200, 700, 180)
    blocks = public_registry(url).blocks
    assert sum(b.quantity_tco2e for b in blocks) == 2223
    retired = [b for b in blocks if b.state == "retired"]
    assert [(b.serial, b.beneficiary_name) for b in retired] == [
        ("CN-TZ-MUSSEL-01-2023-000000001-000000120", "台州某银行")
    ]
    assert verify_registry(url).ok


def test_split_keeps_holdings(registry: Registry) -> None:
    first, second = registry_operations.split_unit_block(registry.url, 1, 1000, ACTOR)
    assert first != second
    assert [b.quantity_tco2e for b in public_registry(registry.url).blocks] == [1000, 1223]
    assert verify_registry(registry.url).ok


def test_issuance_rules(db_url: str, tmp_path: Path) -> None:
    built = build_registry(db_url, tmp_path, issue=False)
    with pytest.raises(RegistryError):
        registry_operations.issue_units(built.url, 1, ACTOR, quantity=2224)
    registry_operations.issue_units(built.url, 1, ACTOR, quantity=2000)
    with pytest.raises(RegistryError):
        registry_operations.issue_units(built.url, 1, ACTOR)  # a report issues once
    registry_projects.create_project(
        built.url,
        registry_projects.ProjectSpec("DRAFT-1", "draft", ProjectType.SHELLFISH, "331082", "COOP"),
        ACTOR,
    )
    with pytest.raises(RegistryError):
        registry_projects.change_project_status(built.url, "DRAFT-1", ProjectStatus.REGISTERED, ACTOR)
    period = (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    summary = registry_mrv.submit_monitoring_report(
        built.url, "DRAFT-1", 2024, period, [("oyster", Decimal(10))], ACTOR
    )
    registry_mrv.verify_report(built.url, summary.report_id, "v", built.verifier_key, ACTOR)
    with pytest.raises(RegistryError):
        registry_operations.issue_units(built.url, summary.report_id, ACTOR)  # project still a draft


def test_report_edited_after_signing_cannot_be_issued(db_url: str, tmp_path: Path) -> None:
    built = build_registry(db_url, tmp_path, issue=False)
    with get_engine(built.url).begin() as connection:
        connection.execute(text("UPDATE sink_monitoring_line SET quantity = 9999"))
    with pytest.raises(RegistryError):
        registry_operations.issue_units(built.url, 1, ACTOR)
    assert verify_registry(built.url).bad_reports == [1]


def test_editing_one_journal_row_is_reported_as_the_first_broken_link(registry: Registry) -> None:
    url = registry.url
    registry_operations.transfer_units(url, "COOP", "BUYER-A", 100, ACTOR)
    registry_operations.transfer_units(url, "BUYER-A", "BUYER-B", 40, ACTOR)
    assert verify_registry(url).ok
    with get_engine(url).begin() as connection:
        seq = connection.execute(
            text("SELECT seq FROM sink_journal_entry WHERE event_type = 'transfer' ORDER BY seq LIMIT 1")
        ).scalar_one()
        connection.execute(
            text(
                "UPDATE sink_journal_movement SET to_account_code = 'BUYER-B' WHERE entry_id = "
                "(SELECT id FROM sink_journal_entry WHERE seq = :seq)"
            ),
            {"seq": seq},
        )
    report = verify_registry(url)
    assert not report.ok
    assert report.broken_link is not None and report.broken_link.seq == seq
    assert report.broken_link.reason == "content"


def test_blocks_edited_behind_the_journal_are_found(registry: Registry) -> None:
    with get_engine(registry.url).begin() as connection:
        connection.execute(text("UPDATE sink_unit_block SET serial_end = serial_end + 1000"))
    report = verify_registry(registry.url)
    assert report.broken_link is None and report.balance_mismatch is not None


def test_export_verifies_offline_with_the_public_key_alone(registry: Registry, tmp_path: Path) -> None:
    registry_operations.transfer_units(registry.url, "COOP", "BUYER-A", 10, ACTOR)
    checkpoint = create_checkpoint(registry.url, registry.registry_key)
    path = tmp_path / "journal.json"
    count = export_journal(registry.url, path)
    assert count == checkpoint.seq
    key = public_key_hex(load_public_key(Path(str(registry.registry_key) + ".pub")))
    result = verify_export(path, key)
    assert result.ok and result.last_signed_seq == checkpoint.seq
    assert not verify_export(
        path, public_key_hex(load_public_key(Path(str(registry.verifier_key) + ".pub")))
    ).ok
    document = json.loads(path.read_text("utf-8"))
    document["entries"][3]["note"] = "forged"
    path.write_text(json.dumps(document), "utf-8")
    forged = verify_export(path, key)
    assert not forged.ok and forged.broken_link is not None and forged.broken_link.seq == 4
