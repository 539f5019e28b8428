"""The command line: JSON shape, exit codes, messages in both languages, no tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycarbon.cli.main import app

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
runner = CliRunner()


def test_account_json_matches_hand_calculation() -> None:
    result = runner.invoke(app, ["account", str(EXAMPLES / "activity.csv"), "--json"])
    assert result.exit_code == 0, result.output
    documents = {(d["uscc"], d["period"]): d for d in json.loads(result.stdout)}
    first = documents[("91330100716105852F", "2024-01")]
    coal = 120 * 20.908 * 0.02637 * 0.94 * 44 / 12
    gas = 3.5 * 389.31 * 0.0153 * 0.99 * 44 / 12
    diesel = 8 * 42.652 * 0.0202 * 0.98 * 44 / 12
    assert first["scope1_tco2e"] == pytest.approx(coal + gas + diesel, rel=1e-12)
    # 85 万千瓦时 = 850 MWh at the latest published national factor (2023: 0.5306), steam at 0.11.
    assert first["scope2_tco2e"] == pytest.approx(850 * 0.5306 + 1200 * 0.11, rel=1e-12)
    assert first["total_tco2e"] == pytest.approx(first["scope1_tco2e"] + first["scope2_tco2e"])
    grid_line = next(line for line in first["lines"] if line["category"] == "electricity")
    assert grid_line["lineage"]["factor_key"] == "national:2023"
    assert "latest_published:2023" in grid_line["lineage"]["flags"]
    assert {"item", "quantity", "unit", "tco2e", "lineage"} <= set(grid_line)
    second = documents[("914403001922038216", "2022")]
    assert second["scope2_method"] == "market"
    assert second["scope2_tco2e"] == pytest.approx(5000 * 0.5856)


def test_account_rejects_bad_file_with_row_messages_in_chinese(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "uscc,period,category,item,quantity,unit\n91330100716105852F,2024-01,fuel,原煤,-5,kWh\n", "utf-8"
    )
    result = runner.invoke(app, ["account", str(bad), "--lang", "zh_CN"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "不能为负" in result.output


def test_account_rejects_bad_file_in_english(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "uscc,period,category,item,quantity,unit\n91330100716105852F,2024-01,fuel,原煤,-5,t\n", "utf-8"
    )
    result = runner.invoke(app, ["account", str(bad), "--lang", "en"])
    assert result.exit_code == 2
    assert "must not be negative" in result.output


def test_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(app, ["account", str(empty), "--lang", "en"])
    assert result.exit_code == 2
    assert "empty" in result.output.lower()


def test_bad_gwp_option_exits_2() -> None:
    result = runner.invoke(app, ["account", str(EXAMPLES / "activity.csv"), "--gwp", "AR4"])
    assert result.exit_code == 2


def test_import_and_report_roundtrip(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    assert (
        runner.invoke(app, ["import", str(EXAMPLES / "organisations.csv"), "--database-url", url]).exit_code
        == 0
    )
    dry = runner.invoke(app, ["import", str(EXAMPLES / "activity.csv"), "--dry-run", "--database-url", url])
    assert dry.exit_code == 0, dry.output
    assert (
        runner.invoke(app, ["import", str(EXAMPLES / "activity.csv"), "--database-url", url]).exit_code == 0
    )
    report = runner.invoke(app, ["report", "914403001922038216", "--year", "2022", "--database-url", url])
    assert report.exit_code == 0, report.output
    assert json.loads(report.stdout)["totals"]["scope1_tco2e"] == pytest.approx(10000 * 0.65 * 44 / 56)
    out = tmp_path / "r.xlsx"
    xlsx = runner.invoke(
        app, ["report", "914403001922038216", "--format", "xlsx", "-o", str(out), "--database-url", url]
    )
    assert xlsx.exit_code == 0 and out.read_bytes()[:2] == b"PK"
    missing = runner.invoke(app, ["report", "91330100716105852F", "--database-url", url, "--lang", "en"])
    assert missing.exit_code == 0
    unknown = runner.invoke(app, ["report", "9144030071526726XG", "--database-url", url, "--lang", "en"])
    assert unknown.exit_code == 2 and "not registered" in unknown.output


def test_template_command_writes_both_formats(tmp_path: Path) -> None:
    for name in ("t.csv", "t.xlsx"):
        result = runner.invoke(app, ["template", "activity", "-o", str(tmp_path / name), "--lang", "zh_CN"])
        assert result.exit_code == 0
    assert "统一社会信用代码" in (tmp_path / "t.csv").read_text("utf-8-sig")
