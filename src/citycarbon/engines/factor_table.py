"""Flatten a :class:`FactorBook` into one small frame keyed by (category, item_code, year).

The engine then applies every factor with a single join, instead of looking factors up row by
row. Electricity rows exist once per data year because the grid factor depends on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from citycarbon.domain.ledger.categories import (
    ELECTRICITY_ITEMS,
    ELECTRICITY_UNIT,
    HEAT_ITEMS,
    HEAT_UNIT,
    PROCESS_UNIT,
    Category,
)
from citycarbon.domain.ledger.factors import FactorBook, GwpMetric, Lineage
from citycarbon.domain.ledger.formulas import tce_per_unit_from_ncv
from citycarbon.refdata.factor_book import DEFAULT_FUEL_SET

FACTOR_SCHEMA: dict[str, Any] = {
    "category": pl.String,
    "item_code": pl.String,
    "year": pl.Int32,
    "canonical_unit": pl.String,
    "sign": pl.Float64,
    "co2_location_t_per_unit": pl.Float64,
    "co2_market_t_per_unit": pl.Float64,
    "non_co2_tco2e_per_unit": pl.Float64,
    "tce_per_unit": pl.Float64,
    "lineage_location": pl.String,
    "lineage_market": pl.String,
    "tce_lineage": pl.String,
    "ncv_gj_per_unit": pl.Float64,
    "carbon_content_tc_per_gj": pl.Float64,
    "oxidation_rate": pl.Float64,
    "factor_source": pl.String,
    "factor_status": pl.String,
    "flags": pl.String,
    "market_source": pl.String,
    "market_status": pl.String,
    "market_flags": pl.String,
}


#: Why green electricity counts zero under the market-based method.
GREEN_SOURCE = (
    "Green electricity with certificates (绿证) counts at zero in the market-based method; the rest of "
    "purchased power uses the national factor excluding market-traded non-fossil electricity "
    "(MEE+NBS electricity CO2 factor announcements)"
)


@dataclass(frozen=True)
class AccountingOptions:
    """Choices that change results and are therefore recorded with them."""

    grid_code: str = "national"
    gwp_metric: GwpMetric = "AR5GWP100"
    include_non_co2: bool = False
    fuel_set: str = DEFAULT_FUEL_SET


def _row(category: Category, item: str, year: int, unit: str, **values: Any) -> dict[str, Any]:
    base: dict[str, Any] = dict.fromkeys(FACTOR_SCHEMA)
    base.update(
        category=category.value,
        item_code=item,
        year=year,
        canonical_unit=unit,
        sign=1.0,
        non_co2_tco2e_per_unit=0.0,
        tce_per_unit=0.0,
        flags="",
    )
    base.update(values)
    return base


def _fuel_rows(book: FactorBook, options: AccountingOptions, year: int) -> list[dict[str, Any]]:
    gwp = book.gwp[options.gwp_metric]
    rows = []
    for fuel in book.fuels.values():
        tce = book.tce.get(fuel.fuel_code)
        flags = [] if tce else ["tce_from_ncv"]
        non_co2 = 0.0
        if options.include_non_co2:
            per_gj = book.non_co2_t_per_gj[fuel.ipcc_family]
            non_co2 = fuel.ncv_gj_per_unit * (per_gj["CH4"] * gwp["CH4"] + per_gj["N2O"] * gwp["N2O"])
            flags.append(f"non_co2:{options.gwp_metric}")
        rows.append(
            _row(
                Category.FUEL,
                fuel.fuel_code,
                year,
                fuel.activity_unit,
                co2_location_t_per_unit=fuel.co2_t_per_unit,
                co2_market_t_per_unit=fuel.co2_t_per_unit,
                non_co2_tco2e_per_unit=non_co2,
                tce_per_unit=tce.value if tce else tce_per_unit_from_ncv(fuel.ncv_gj_per_unit),
                lineage_location=fuel.lineage.lineage_id,
                lineage_market=fuel.lineage.lineage_id,
                tce_lineage=tce.lineage.lineage_id if tce else fuel.lineage.lineage_id,
                ncv_gj_per_unit=fuel.ncv_gj_per_unit,
                carbon_content_tc_per_gj=fuel.carbon_content_tc_per_gj,
                oxidation_rate=fuel.oxidation_rate,
                factor_source=fuel.lineage.source,
                factor_status=fuel.lineage.status,
                flags=",".join(flags),
            )
        )
    return rows


def _electricity_rows(book: FactorBook, options: AccountingOptions, year: int) -> list[dict[str, Any]]:
    location = book.grid_factor(options.grid_code, year)
    residual = book.grid_factor(book.residual_grid[options.grid_code], year)
    tce = book.tce["electricity"]
    rows = []
    for item in ELECTRICITY_ITEMS:
        green = item == "green"
        market_value = 0.0 if green else residual.factor.co2_t_per_mwh
        market_lineage = "zero_emission_certificate" if green else residual.factor.lineage.lineage_id
        rows.append(
            _row(
                Category.ELECTRICITY,
                item,
                year,
                ELECTRICITY_UNIT,
                sign=-1.0 if item == "export" else 1.0,
                co2_location_t_per_unit=location.factor.co2_t_per_mwh,
                co2_market_t_per_unit=market_value,
                tce_per_unit=tce.value,
                lineage_location=location.factor.lineage.lineage_id,
                lineage_market=market_lineage,
                tce_lineage=tce.lineage.lineage_id,
                factor_source=location.factor.lineage.source,
                factor_status=location.factor.lineage.status,
                flags=location.flag or "",
                market_source=GREEN_SOURCE if green else residual.factor.lineage.source,
                market_status="VERIFIED" if green else residual.factor.lineage.status,
                market_flags="" if green else residual.flag or "",
            )
        )
    return rows


def _simple_rows(
    category: Category, items: Iterable[tuple[str, float, Lineage, float, str | None]], unit: str, year: int
) -> list[dict[str, Any]]:
    return [
        _row(
            category,
            item,
            year,
            unit,
            sign=-1.0 if item == "export" else 1.0,
            co2_location_t_per_unit=value,
            co2_market_t_per_unit=value,
            tce_per_unit=tce,
            lineage_location=lineage.lineage_id,
            lineage_market=lineage.lineage_id,
            tce_lineage=tce_lineage,
            factor_source=lineage.source,
            factor_status=lineage.status,
        )
        for item, value, lineage, tce, tce_lineage in items
    ]


def build_factor_table(book: FactorBook, years: Iterable[int], options: AccountingOptions) -> pl.DataFrame:
    """Return one row per (category, item, year) with factors per canonical unit and lineage."""
    rows: list[dict[str, Any]] = []
    heat_tce = book.tce["heat"]
    # Exported heat is deducted at the steam factor: the guides give one factor for all heat.
    heat_items = [
        (
            code,
            book.heat[code if code != "export" else "steam"].value,
            book.heat[code if code != "export" else "steam"].lineage,
            heat_tce.value,
            heat_tce.lineage.lineage_id,
        )
        for code in HEAT_ITEMS
    ]
    processes = [(p.process_code, p.co2_t_per_t, p.lineage, 0.0, None) for p in book.processes.values()]
    for year in sorted(set(years)):
        rows += _fuel_rows(book, options, year)
        rows += _electricity_rows(book, options, year)
        rows += _simple_rows(Category.HEAT, heat_items, HEAT_UNIT, year)
        rows += _simple_rows(Category.PROCESS, processes, PROCESS_UNIT, year)
    return pl.DataFrame(rows, schema=FACTOR_SCHEMA, orient="row")
