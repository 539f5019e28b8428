"""Render the grading-scheme tables of docs/explanation/carbon-efficiency.md from the data files.

The tables between the ``<!-- grading:begin -->`` and ``<!-- grading:end -->`` markers are
generated, never typed, so the page always shows the shipped thresholds and their status.

Usage: python scripts/docs/render_grading.py [--check]
"""

from __future__ import annotations

import sys
from pathlib import Path

from citycarbon.refdata.grading import load_grading_schemes, load_watch_rules

PAGE = Path(__file__).resolve().parents[2] / "docs" / "explanation" / "carbon-efficiency.md"
BEGIN, END = "<!-- grading:begin -->", "<!-- grading:end -->"


def _limit(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def render() -> str:
    """Markdown tables of every scheme's dimensions and of the watch-list rules."""
    lines = []
    for scheme in load_grading_schemes().values():
        lines += [
            f"**{scheme.code}@{scheme.version}** — {scheme.name_zh} / {scheme.name_en} ({scheme.status})",
            "",
        ]
        lines += [
            "| dimension | metric | band | rank | > lower | ≤ upper | label | colour |",
            "|---|---|---|---|---|---|---|---|",
        ]
        dimensions = [*scheme.grade_dimensions, *([scheme.level_dimension] if scheme.level_dimension else [])]
        for dimension in dimensions:
            for band in dimension.bands:
                lines.append(
                    f"| {dimension.name} | {dimension.metric} | {band.code} | {band.rank} | "
                    f"{_limit(band.lower_exclusive)} | {_limit(band.upper_inclusive)} | "
                    f"{band.label_zh} {band.label_en} | {band.colour} |"
                )
        lines.append("")
    lines += [
        "| watch rule | energy ≥ (tce) | grades | output per mu ≤ percentile | scope |",
        "|---|---|---|---|---|",
    ]
    for rule in load_watch_rules():
        grades = ", ".join(str(g) for g in rule.grades)
        lines.append(
            f"| {rule.rule_code} ({rule.name_zh}) | {_limit(rule.min_energy_tce)} | {grades} | "
            f"{_limit(rule.max_output_per_mu_percentile)} | {rule.percentile_scope} |"
        )
    return "\n".join(lines)


def updated(text: str) -> str:
    """``text`` with the generated block replaced by the current rendering."""
    head, rest = text.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{render()}\n{END}{tail}"


if __name__ == "__main__":
    current = PAGE.read_text("utf-8")
    fresh = updated(current)
    if "--check" in sys.argv:
        sys.exit(0 if fresh == current else 1)
    PAGE.write_text(fresh, "utf-8")
