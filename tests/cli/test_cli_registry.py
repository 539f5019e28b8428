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
