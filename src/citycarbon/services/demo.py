"""Load the demo city through the same import and calculation paths real data takes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select

from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.services.demo_cases import load_demo_cases
from citycarbon.services.demo_city import write_demo_files
from citycarbon.services.demo_index import load_demo_index
from citycarbon.services.demo_monitoring import load_demo_monitoring
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.rating import rate_if_needed
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import Organisation

Progress = Callable[[str], None]


@dataclass(frozen=True)
class DemoSummary:
    """What loading the demo city wrote."""

    organisations: int
    activity_rows: int
    results: int
    total_tco2e: float
    skipped: bool = False
    warnings: int = 0
    cases: int = 0
    index_runs: int = 0


def database_is_empty(url: str) -> bool:
    """True when no organisation is registered (the demo is only loaded into an empty city)."""
    upgrade_database(url)
    with unit_of_work(url) as session:
        return (session.execute(select(func.count(Organisation.id))).scalar() or 0) == 0


def _case_count(url: str) -> int:
    with unit_of_work(url) as session:
        return session.execute(select(func.count(SupervisionCase.id))).scalar() or 0


def load_demo_ledger(
    url: str,
    *,
    organisations: int = 3000,
    years: tuple[int, ...] = (2022, 2023, 2024),
    progress: Progress = lambda _step: None,
) -> DemoSummary:
    """Generate the demo files, import them (organisations, production, activity) and calculate."""
    upgrade_database(url)
    with tempfile.TemporaryDirectory(prefix="citycarbon-demo-") as folder:
        progress("generate")
        files = write_demo_files(Path(folder), organisations=organisations, years=years)
        for step, path in (
            ("organisations", files.organisations),
            ("production", files.production),
            ("activity", files.activity),
        ):
            progress(step)
            import_file(url, path, file_name=path.name)
    progress("calculate")
    run = recalculate(url, AccountingOptions(), trigger="demo")
    return DemoSummary(files.organisation_count, files.activity_rows, run.results, run.total_tco2e)


def load_demo(
    url: str,
    *,
    organisations: int = 3000,
    years: tuple[int, ...] = (2022, 2023, 2024),
    progress: Progress = lambda _step: None,
) -> DemoSummary:
    """Load the demo ledger (:func:`load_demo_ledger`), rate it, then run its supervision loop.

    The supervision steps come last because each reads what the one before wrote: the demo's
    hand-opened cases (a few months of back-dated work) go first, as they are only loaded into
    a city without cases; the warning rules then compare intensities with the ratings and open
    cases for serious findings; the quarterly synergy index counts both.
    """
    ledger = load_demo_ledger(url, organisations=organisations, years=years, progress=progress)
    progress("rate")
    rate_if_needed(url)
    progress("cases")
    load_demo_cases(url)
    progress("monitoring")
    monitoring = load_demo_monitoring(url)
    progress("index")
    index = load_demo_index(url)
    return replace(ledger, warnings=monitoring.warnings, cases=_case_count(url), index_runs=index.runs)
