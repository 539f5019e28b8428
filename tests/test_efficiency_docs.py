"""The carbon-efficiency explanation shows the shipped scheme tables, rendered from the data."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_grading_tables_are_generated_from_current_data() -> None:
    script = ROOT / "scripts" / "docs" / "render_grading.py"
    result = subprocess.run([sys.executable, str(script), "--check"], check=False)
    assert result.returncode == 0, "run: python scripts/docs/render_grading.py"


def test_page_lists_every_not_rated_reason() -> None:
    from citycarbon.domain.efficiency.reasons import MESSAGES

    page = (ROOT / "docs" / "explanation" / "carbon-efficiency.md").read_text("utf-8")
    assert all(f"`{code}`" in page for code in MESSAGES)
