"""Human-readable tables of accounting results."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from citycarbon.i18n import translator


def totals_table(documents: list[dict[str, Any]], locale: str | None) -> None:
    """Print one row per organisation and period."""
    tr = translator(locale)
    table = Table(title=tr("Emissions by organisation and period"))
    for heading in (
        "Credit code",
        "Period",
        "Scope 1 (tCO2e)",
        "Scope 2 (tCO2e)",
        "Total (tCO2e)",
        "Energy (tce)",
    ):
        table.add_column(tr(heading), justify="right" if "(" in heading else "left")
    for doc in documents:
        table.add_row(
            doc["uscc"],
            doc["period"],
            f"{doc['scope1_tco2e']:,.3f}",
            f"{doc['scope2_tco2e']:,.3f}",
            f"{doc['total_tco2e']:,.3f}",
            f"{doc['energy_tce']:,.3f}",
        )
    Console().print(table)
