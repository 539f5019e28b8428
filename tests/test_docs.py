"""Docs that are generated from data must be current; README examples must run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_factor_tables_page_is_generated_from_current_data() -> None:
    script = ROOT / "scripts" / "docs" / "render_factors.py"
    result = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert result.returncode == 0, "run: python scripts/docs/render_factors.py"


def test_readme_names_the_two_commands_and_ci_calls_the_test_command() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    assert "scripts/run" in readme and "scripts/test" in readme
    assert "scripts/test" in (ROOT / ".ci" / "run").read_text("utf-8")
