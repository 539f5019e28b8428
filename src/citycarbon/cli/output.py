"""Rendering of errors and problems for the terminal, in the user's language."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table

from citycarbon.domain.errors import CityCarbonError, Problem, ValidationFailed
from citycarbon.i18n import translator

err_console = Console(stderr=True)
MAX_SHOWN = 200


def problem_table(title: str, problems: Iterable[Problem], locale: str | None) -> Table:
    """A table of problems by row and column; long lists are cut with a count of the rest."""
    tr = translator(locale)
    table = Table(title=title, show_lines=False)
    for heading in ("Row", "Column", "Problem"):
        table.add_column(tr(heading))
    listed = list(problems)
    for problem in listed[:MAX_SHOWN]:
        table.add_row(str(problem.row or ""), problem.column or "", problem.render(tr))
    if len(listed) > MAX_SHOWN:
        more = tr("{count} more problem(s) not shown").format(count=len(listed) - MAX_SHOWN)
        table.add_row("…", "", more)
    return table


def report_error(error: CityCarbonError, locale: str | None) -> None:
    """Print an error, with all its problems, to stderr."""
    tr = translator(locale)
    failures = getattr(error, "failures", None)
    if isinstance(failures, dict):
        for file_name, problems in failures.items():
            err_console.print(problem_table(file_name, problems, locale))
    elif isinstance(error, ValidationFailed):
        err_console.print(problem_table("", error.problems, locale))
    err_console.print(f"[bold red]{tr('Error')}:[/] {error.render(tr)}")
