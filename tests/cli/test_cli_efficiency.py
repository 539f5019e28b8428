"""The efficiency commands: rate summary, watch-list, card issue and offline verification."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycarbon.cli.main import app

runner = CliRunner()
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def uscc(first17: str) -> str:
    total = sum(ALPHABET.index(c) * pow(3, i, 31) for i, c in enumerate(first17))
    return first17 + ALPHABET[(31 - total % 31) % 31]


FIRMS = [uscc(f"91331002MA2CLXT{i}{i}") for i in range(1, 4)]
# Value added 1000, 500, 250 with 1000, 1000, 2000 MWh: K = 0.4375, 0.875, 3.5 → grades 1, 3, 5.
FILES = {
    "orgs.csv": "uscc,name,kind,industry_code,region_code,area_mu\n"
    + "".join(f"{u},台州{i}号机械有限公司,enterprise,C3411,331002,10\n" for i, u in enumerate(FIRMS)),
    "production.csv": "uscc,period,output_value_10k_cny,value_added_10k_cny\n"
    + "".join(f"{u},2024-01,{4 * va},{va}\n" for u, va in zip(FIRMS, (1000, 500, 250), strict=True)),
    "activity.csv": "uscc,period,category,item,quantity,unit\n"
    + "".join(
        f"{u},2024-01,electricity,grid,{mwh},MWh\n" for u, mwh in zip(FIRMS, (1000, 1000, 2000), strict=True)
    ),
}


@pytest.fixture
def env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CITYCARBON_DATABASE_URL", db_url)
    monkeypatch.setenv("CITYCARBON_CARD_KEYS_DIR", str(tmp_path / "keys"))
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, "utf-8")
        result = runner.invoke(app, ["import", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
    return tmp_path


def test_rate_prints_distribution_and_card_round_trip(env: Path) -> None:
    result = runner.invoke(app, ["rate", "--period", "2024", "--min-peers", "3", "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "Rated 3 of 3 organisations for 2024 with huzhou@" in result.output
    assert "Grade distribution" in result.output
    card = env / "card.pdf"
    issued = runner.invoke(app, ["card", "issue", FIRMS[1], "--period", "2024", "-o", str(card)])
    assert issued.exit_code == 0, issued.output
    verified = runner.invoke(app, ["card", "verify", str(card), "--lang", "en"])
    assert verified.exit_code == 0, verified.output
    assert json.loads(verified.stdout.split("\n", 1)[1])["grade"] == "3"
    payload = issued.stdout.strip().splitlines()[-1]
    forged = payload[:-3] + ("AAA" if not payload.endswith("AAA") else "BBB")
    rejected = runner.invoke(app, ["card", "verify", forged, "--lang", "en"])
    assert rejected.exit_code == 2
    assert "does not verify" in rejected.output


def test_default_minimum_peers_reports_the_reason_in_chinese(env: Path) -> None:
    result = runner.invoke(app, ["rate", "--period", "2024", "--lang", "zh_CN"])
    assert result.exit_code == 0, result.output
    assert "同行企业不足" in result.output
    assert "Traceback" not in result.output


def test_watchlist_json_and_bad_options(env: Path) -> None:
    assert runner.invoke(app, ["rate", "--period", "2024", "--min-peers", "3"]).exit_code == 0
    listed = runner.invoke(app, ["watchlist", "--period", "2024", "--json"])
    assert listed.exit_code == 0, listed.output
    # Energy is at most 2000 MWh × 0.1229 tce/MWh = 245.8 tce, below the 1000 tce rule; output per
    # mu is 400, 200, 100 (10^4 CNY/mu) and the county's 10th percentile 100 + 0.2 × 100 = 120.
    entries = json.loads(listed.stdout)
    assert [(e["uscc"], e["rule_code"]) for e in entries] == [(FIRMS[2], "low_output_per_mu")]
    assert entries[0]["output_per_mu_threshold_10k_cny"] == pytest.approx(120.0)
    bad = runner.invoke(app, ["rate", "--period", "2024", "--method", "mode", "--lang", "en"])
    assert bad.exit_code == 2
    unknown = runner.invoke(app, ["rate", "--period", "2024", "--scheme", "hangzhou", "--lang", "en"])
    assert unknown.exit_code == 3


def test_ranking_of_an_industry_and_a_county(env: Path) -> None:
    assert runner.invoke(app, ["rate", "--period", "2024", "--min-peers", "3"]).exit_code == 0
    table = runner.invoke(app, ["ranking", "--period", "2024", "--industry", "C3411", "--lang", "en"])
    assert table.exit_code == 0, table.output
    assert "Ranking by K in industry C3411, 2024 (huzhou)" in table.output
    lines = [next(line for line in table.output.splitlines() if firm in line) for firm in FIRMS]
    assert [line.split()[1] for line in lines] == ["1", "2", "3"]  # K 0.4375, 0.875, 3.5
    assert "0.4375" in lines[0] and "3.5000" in lines[2]
    chinese = runner.invoke(app, ["ranking", "--period", "2024", "--county", "331002", "--lang", "zh_CN"])
    assert chinese.exit_code == 0, chinese.output
    assert "区县 331002 碳效排名" in chinese.output and "名次" in chinese.output
    listed = runner.invoke(app, ["ranking", "--period", "2024", "--county", "331002", "--json"])
    assert listed.exit_code == 0, listed.output
    document = json.loads(listed.stdout)
    assert (document["dimension"], document["code"], document["ranked_count"]) == ("county", "331002", 3)
    assert [(r["uscc"], r["rank"]) for r in document["rows"]] == list(zip(FIRMS, (1, 2, 3), strict=True))


def test_ranking_errors_are_reported_without_traceback(env: Path) -> None:
    neither = runner.invoke(app, ["ranking", "--period", "2024", "--lang", "en"])
    assert neither.exit_code == 2
    assert "Give exactly one group to rank" in neither.output
    unrated = runner.invoke(app, ["ranking", "--period", "2024", "--county", "331002", "--lang", "zh_CN"])
    assert unrated.exit_code == 2
    assert "2024 尚未按方案 huzhou 进行碳效评价" in unrated.output
    assert "Traceback" not in neither.output + unrated.output
