"""Start-up checks: migrate, validate all reference data, and recalculate after factor changes.

Reference files are validated before the platform answers a single request, and when a new
factor-set version has shipped since the last calculation, current results are recalculated
with it (the old ones stay as history) so no figure silently mixes factor vintages.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from sqlalchemy import select

from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.factor_book import FUEL_SETS, load_factor_book
from citycarbon.services.ledger import RunSummary, recalculate
from citycarbon.services.rating import RatingSummary, rate_if_needed
from citycarbon.store.db import unit_of_work, upgrade_database
from citycarbon.store.tables import CalculationRun


@dataclass(frozen=True)
class StartupReport:
    """What start-up found and did."""

    factor_sets: dict[str, str]
    recalculated: RunSummary | None
    ratings: list[RatingSummary] = field(default_factory=list)


def validate_reference_data() -> dict[str, str]:
    """Load every shipped dataset (digests and rows checked); return the versions in use."""
    for fuel_set in FUEL_SETS:
        load_factor_book(fuel_set)
    load_region_catalogue()
    load_industry_catalogue()
    return load_factor_book().factor_sets


def _latest_run(url: str) -> CalculationRun | None:
    with unit_of_work(url) as session:
        query = select(CalculationRun).order_by(CalculationRun.id.desc()).limit(1)
        return session.execute(query).scalar_one_or_none()


def prepare_platform(url: str) -> StartupReport:
    """Migrate, validate reference data, recalculate after factor changes, then rate if needed."""
    upgrade_database(url)
    versions = validate_reference_data()
    recalculated = _recalculate_if_factors_changed(url)
    return StartupReport(versions, recalculated, rate_if_needed(url))


def _recalculate_if_factors_changed(url: str) -> RunSummary | None:
    last = _latest_run(url)
    if last is None:
        return None
    options = AccountingOptions(
        grid_code=last.grid_code,
        gwp_metric=last.gwp_metric,  # type: ignore[arg-type]
        include_non_co2=last.include_non_co2,
        fuel_set=last.fuel_set,
    )
    used = json.loads(last.factor_versions)
    if used == load_factor_book(last.fuel_set).factor_sets:
        return None
    return recalculate(url, options, trigger="factor_update")
