"""Monitoring and warning commands: import with row-level problems (exit 2), gaps, a warning run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from citycarbon.cli.main import app
from citycarbon.services.importing import import_file

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
USCC = "91330100716105852F"


@pytest.fixture
def files(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CITYCARBON_DATABASE_URL", db_url)
    import_file(db_url, EXAMPLES / "organisations.csv", file_name="organisations.csv")
    (tmp_path / "outlets.csv").write_text(
        f"uscc,site_code,outlet_code,medium,expected_interval_min,limit_profile\n{USCC},S1,DA001,air,60,gb16297_new_source\n"
    )
    (tmp_path / "readings.csv").write_text(
        "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n"
        f"{USCC},S1,DA001,so2,2026-01-01T00:00Z,600,mg/m3\n{USCC},S1,DA001,so2,2026-01-01T09:00Z,20,mg/m3\n"
    )
    (tmp_path / "bad.csv").write_text(
        f"uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n{USCC},S1,DA001,so2,yesterday,1,mg/m3\n"
    )
    return tmp_path


def test_import_gaps_and_warnings(files: Path) -> None:
    done = runner.invoke(
        app, ["monitoring", "import", str(files / "outlets.csv"), "--kind", "outlets", "--lang", "en"]
    )
    assert done.exit_code == 0, done.output
    done = runner.invoke(
        app, ["monitoring", "import", str(files / "readings.csv"), "--kind", "readings", "--lang", "en"]
    )
    assert "2 rows, 2 written" in done.output
    bad = runner.invoke(
        app, ["monitoring", "import", str(files / "bad.csv"), "--kind", "readings", "--lang", "en"]
    )
    assert bad.exit_code == 2
    gaps = runner.invoke(app, ["monitoring", "gaps", "--period", "2026-01", "--lang", "en"])
    assert gaps.exit_code == 0 and "data gap(s) in 2026-01" in gaps.output
    run = runner.invoke(app, ["warnings", "run", "--period", "2026-01", "--lang", "zh_CN"])
    assert run.exit_code == 0, run.output
    assert "limit_exceeded" in run.output and "新增预警" in run.output
