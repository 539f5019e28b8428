"""bench/bench_rating.py still runs and its checks hold on a small city (not its timing)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "bench_rating.py"


def test_small_run_checks_medians_grades_and_ranks_against_duckdb() -> None:
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--organisations", "3000", "--industries", "20", "--repeat", "3"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode in (0, 1), run.stderr  # 1 is FAIL on the ratio, which small runs may give
    out = run.stdout
    assert re.search(
        r"check: 60 class medians, max \|engine − DuckDB\| 0\.0e\+00; [\d,]+ grades compared, 0 differ", out
    )
    assert re.search(r"ranks: 0 of 9,000 differ", out)
    assert re.search(r"ratio: +[\d.]+ wall", out) and ("PASS" in out or "FAIL" in out)
