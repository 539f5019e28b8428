"""``citycarbon registry``: the mussel example end to end from the command line."""

from __future__ import annotations

import datetime as dt
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycarbon.cli.main import app

runner = CliRunner()


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("CITYCARBON_DATABASE_URL", db_url)
    monkeypatch.setenv("CITYCARBON_LOCALE", "en")
    monkeypatch.chdir(tmp_path)

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(app, ["registry", *args])
        assert result.exit_code == code, result.output
        return result.output

    return invoke


def test_mussel_example_from_the_cli(cli) -> None:  # type: ignore[no-untyped-def]
    cli("keygen", "registry.key")
    cli("keygen", "verifier.key")
    for account in ("COOP", "FUND", "BANK"):
        cli("account", "open", account, "--holder", account)
    cli("account", "approve-bidder", "BANK")
    cli(
        "project",
        "create",
        "MUSSEL-01",
        "--name",
        "贻贝养殖碳汇",
        "--type",
        "shellfish",
        "--region",
        "331082",
        "--owner",
        "COOP",
        "--fund",
        "FUND",
        "--participants-share",
        "60",
        "--participant",
        "王=1300",
        "--participant",
        "李=900",
    )
    cli("project", "register", "MUSSEL-01", code=2)  # a draft is never registered directly
    cli("project", "submit", "MUSSEL-01")
    cli("project", "register", "MUSSEL-01")
    out = cli(
        "mrv",
        "report",
        "MUSSEL-01",
        "--vintage",
        "2023",
        "--from",
        "2023-01-01",
        "--to",
        "2023-10-31",
        "--measure",
        "mussel=5545",
    )
    assert "issuable 2223 t" in out
    cli("verify-report", "1", "--verifier", "某核查机构", "--key", "verifier.key")
    assert "CN-TZ-MUSSEL-01-2023-000000001-000002223" in cli("issue", "1")
    closes = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)).isoformat()
    cli(
        "auction",
        "create",
        "BC-1",
        "--seller",
        "COOP",
        "--project",
        "MUSSEL-01",
        "--vintage",
        "2023",
        "--quantity",
        "2223",
        "--reserve",
        "80000",
        "--increment",
        "500",
        "--closes-at",
        closes,
    )
    cli("auction", "bid", "BC-1", "BANK", "79999.99", code=2)
    cli("auction", "bid", "BC-1", "BANK", "100500")
    cli("auction", "close", "BC-1", code=2)
    time.sleep(2.1)
    cli("auction", "bid", "BC-1", "BANK", "200000", code=2)
    assert "won by BANK" in cli("auction", "close", "BC-1")
    cli("auction", "confirm-payment", "BC-1")
    out = cli("split-benefit", "BC-1")
    # 60 % of 10,050,000 fen = 6,030,000: 王 × 1300/2200 = 3,563,181.8 → 3,563,182 (largest remainder);
    # 李 × 900/2200 = 2,466,818.2 → 2,466,818; the fund keeps 40 % = 4,020,000.
    assert "FUND: CNY 40,200.00" in out and "王: CNY 35,631.82" in out and "李: CNY 24,668.18" in out
    cli("retire", "BANK", "2223", "--beneficiary", "台州某银行", "--purpose", "2023 operations")
    view = json.loads(cli("public", "--json"))
    assert [b["state"] for b in view["blocks"]] == ["retired"]
    cli("checkpoint", "--key", "registry.key")
    assert "balances match" in cli("verify")
    cli("export", "journal.json")
    assert "Export verified" in cli("verify-export", "journal.json", "--public-key", "registry.key.pub")
    cli("verify-export", "journal.json", "--public-key", "verifier.key.pub", code=1)


def test_serial_ranges_and_offline_signing_from_the_cli(cli) -> None:  # type: ignore[no-untyped-def]
    from citycarbon.services.registry_keys import signature_is_valid

    cli("keygen", "verifier.key")
    for account in ("COOP", "BANK"):
        cli("account", "open", account, "--holder", account)
    cli(
        "project",
        "create",
        "M1",
        "--name",
        "m",
        "--type",
        "shellfish",
        "--region",
        "331082",
        "--owner",
        "COOP",
    )
    cli("project", "submit", "M1")
    cli("project", "register", "M1")
    cli(
        "mrv",
        "report",
        "M1",
        "--vintage",
        "2023",
        "--from",
        "2023-01-01",
        "--to",
        "2023-12-31",
        "--measure",
        "mussel=1000",
    )
    cli("verify-report", "1", "--verifier", "v", "--key", "verifier.key")
    cli("issue", "1")  # 1,000 t × 0.400918 = 400.9 → serials 1–400
    unit = ("--project", "M1", "--vintage", "2023")
    assert "CN-TZ-M1-2023-000000101-000000300" in cli(
        "transfer", "COOP", "BANK", *unit, "--serials", "101-300"
    )
    cli("transfer", "COOP", "BANK", "5", *unit, "--serials", "1-5", code=2)  # a quantity and serials
    cli("transfer", "COOP", "BANK", "--serials", "1-5", code=2)  # serials without project and vintage
    cli("retire", "BANK", *unit, "--serials", "300-301", "--beneficiary", "b", "--purpose", "p", code=2)
    out = cli("retire", "BANK", *unit, "--serials", "150-159", "--beneficiary", "b", "--purpose", "p")
    assert "10 t: CN-TZ-M1-2023-000000150-000000159" in out
    view = json.loads(cli("public", "--json"))
    assert [(b["serial"][-19:], b["state"]) for b in view["blocks"]] == [
        ("000000001-000000100", "active"),
        ("000000101-000000149", "active"),
        ("000000150-000000159", "retired"),
        ("000000160-000000300", "active"),
        ("000000301-000000400", "active"),
    ]
    assert "balances match" in cli("verify")
    signed = json.loads(cli("sign", "--key", "verifier.key", "citycarbon-mrv-report/1|1|x|400|v"))
    message = b"citycarbon-mrv-report/1|1|x|400|v"
    assert signature_is_valid(signed["public_key_hex"], signed["signature_hex"], message)
