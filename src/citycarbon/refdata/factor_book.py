"""Assemble a :class:`FactorBook` from the shipped, validated reference datasets.

All unit conversions of reference values happen here, once: the book holds plain floats in
the canonical units the engines use (tCO2 per t or per 10^4 Nm3 of fuel, per MWh, per GJ).
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.domain.ledger.categories import ELECTRICITY_UNIT, HEAT_UNIT
from citycarbon.domain.ledger.factors import (
    FactorBook,
    FuelFactor,
    GridFactor,
    Lineage,
    ProcessFactor,
    SimpleFactor,
)
from citycarbon.domain.ledger.formulas import fuel_emission_factor, oxide_process_factor
from citycarbon.domain.units import conversion_factor
from citycarbon.refdata.loader import Dataset, latest_version, load_dataset
from citycarbon.refdata.schema import (
    FuelParameterRow,
    FuelRow,
    GridFactorRow,
    GridRow,
    GwpRow,
    HeatFactorRow,
    NonCo2Row,
    ProcessParameterRow,
    StandardCoalRow,
)

DEFAULT_FUEL_SET = "fuel_cn_gbt32151"
FUEL_SETS = (DEFAULT_FUEL_SET, "fuel_cn_alt")


def _lineage(dataset: Dataset[Any], key: str, source: str, status: str) -> Lineage:
    return Lineage(dataset.manifest.dataset, dataset.manifest.version, key, source, status)


def _fuels(fuel_set: str) -> dict[str, FuelFactor]:
    catalogue = {row.fuel_code: row for row in load_dataset("fuel_catalogue", "fuels.csv", FuelRow).rows}
    params = load_dataset(fuel_set, "parameters.csv", FuelParameterRow)
    values: dict[str, dict[str, FuelParameterRow]] = defaultdict(dict)
    for row in params.rows:
        if row.fuel_code not in catalogue:
            raise ReferenceDataError(
                "{set} names fuel '{fuel}' that the fuel catalogue lacks", set=fuel_set, fuel=row.fuel_code
            )
        values[row.fuel_code][row.parameter] = row
    fuels = {}
    for code, rows in values.items():
        meta = catalogue[code]
        unit = meta.activity_unit
        ncv = rows["ncv"].value * conversion_factor(rows["ncv"].unit, f"GJ/{unit}")
        cc = rows["carbon_content"].value * conversion_factor(rows["carbon_content"].unit, "tC/GJ")
        oxidation = rows["oxidation_rate"].value
        fuels[code] = FuelFactor(
            fuel_code=code,
            name_zh=meta.name_zh,
            name_en=meta.name_en,
            aliases=tuple(a for a in meta.aliases.split(";") if a),
            activity_unit=unit,
            ipcc_family=meta.ipcc_family,
            ncv_gj_per_unit=ncv,
            carbon_content_tc_per_gj=cc,
            oxidation_rate=oxidation,
            co2_t_per_unit=fuel_emission_factor(ncv, cc, oxidation),
            lineage=_lineage(params, code, rows["ncv"].source, rows["ncv"].status),
        )
    return fuels


def _processes() -> dict[str, ProcessFactor]:
    data = load_dataset("process_emissions", "process_parameters.csv", ProcessParameterRow)
    grouped: dict[str, list[ProcessParameterRow]] = defaultdict(list)
    for row in data.rows:
        grouped[row.process_code].append(row)
    processes = {}
    for code, rows in grouped.items():
        params = {row.parameter: row.value for row in rows}
        if "carbonate_factor" in params:
            factor = params["carbonate_factor"] * conversion_factor(rows[0].unit, "tCO2/t")
        else:
            factor = oxide_process_factor(params["cao_fraction"], params["mgo_fraction"])
        processes[code] = ProcessFactor(
            process_code=code,
            name_zh=rows[0].name_zh,
            name_en=rows[0].name_en,
            co2_t_per_t=factor,
            parameters=tuple(sorted(params.items())),
            lineage=_lineage(data, code, "; ".join(dict.fromkeys(r.source for r in rows)), rows[0].status),
        )
    return processes


def _grids() -> tuple[dict[str, tuple[GridFactor, ...]], dict[str, str], dict[str, tuple[str, str]]]:
    data = load_dataset("grid_electricity", "grid_factors.csv", GridFactorRow)
    series: dict[str, list[GridFactor]] = defaultdict(list)
    for row in data.rows:
        series[row.grid_code].append(
            GridFactor(
                grid_code=row.grid_code,
                data_year=row.valid_from,
                co2_t_per_mwh=row.value * conversion_factor(row.unit, f"tCO2/{ELECTRICITY_UNIT}"),
                method=row.method,
                document=row.document,
                lineage=_lineage(data, f"{row.grid_code}:{row.valid_from}", row.source, row.status),
            )
        )
    catalogue = load_dataset("grid_catalogue", "grids.csv", GridRow).rows
    residual = {g.grid_code: g.residual_grid_code for g in catalogue}
    names = {g.grid_code: (g.name_zh, g.name_en) for g in catalogue}
    unknown = set(series) - set(residual)
    if unknown:
        raise ReferenceDataError("Grids without a catalogue entry: {grids}", grids=", ".join(sorted(unknown)))
    return {k: tuple(sorted(v, key=lambda f: f.data_year)) for k, v in series.items()}, residual, names


def _simple(
    dataset: Dataset[HeatFactorRow] | Dataset[StandardCoalRow], unit_for: dict[str, str]
) -> dict[str, SimpleFactor]:
    result = {}
    for row in dataset.rows:
        target = unit_for[row.item_code]
        result[row.item_code] = SimpleFactor(
            value=row.value * conversion_factor(row.unit, target),
            unit=target,
            lineage=_lineage(dataset, row.item_code, row.source, row.status),
        )
    return result


def _tce() -> dict[str, SimpleFactor]:
    # Coefficients are keyed by fuel code (every catalogue fuel, whichever set is chosen) or by
    # the energy carriers electricity and heat; each converts to tce per the carrier's unit.
    data = load_dataset("standard_coal_gbt2589", "coefficients.csv", StandardCoalRow)
    catalogue = load_dataset("fuel_catalogue", "fuels.csv", FuelRow).rows
    units = {row.fuel_code: f"tce/{row.activity_unit}" for row in catalogue}
    units |= {"electricity": f"tce/{ELECTRICITY_UNIT}", "heat": f"tce/{HEAT_UNIT}"}
    return _simple(data, units)


def load_factor_book(fuel_set: str = DEFAULT_FUEL_SET) -> FactorBook:
    """The factor book for ``fuel_set`` and the newest other sets, built once per process."""
    return _build_factor_book(fuel_set)


@cache
def _build_factor_book(fuel_set: str) -> FactorBook:
    # Cached on the positional value so that load_factor_book() and
    # load_factor_book(DEFAULT_FUEL_SET) share one book.
    if fuel_set not in FUEL_SETS:
        raise ReferenceDataError(
            "Unknown fuel factor set '{set}'; choose one of {sets}", set=fuel_set, sets=", ".join(FUEL_SETS)
        )
    fuels = _fuels(fuel_set)
    series, residual, names = _grids()
    heat = load_dataset("heat_purchased", "heat_factors.csv", HeatFactorRow)
    gwp_data = load_dataset("gwp100", "gwp.csv", GwpRow)
    gwp: dict[str, dict[str, float]] = defaultdict(dict)
    for row in gwp_data.rows:
        gwp[row.metric][row.gas] = row.value
    non_co2_data = load_dataset("stationary_non_co2", "emission_factors.csv", NonCo2Row)
    non_co2: dict[str, dict[str, float]] = defaultdict(dict)
    for factor_row in non_co2_data.rows:
        non_co2[factor_row.ipcc_family][factor_row.gas] = factor_row.value * conversion_factor(
            factor_row.unit, "t/GJ"
        )
    sets = [
        fuel_set,
        "fuel_catalogue",
        "grid_electricity",
        "grid_catalogue",
        "heat_purchased",
        "standard_coal_gbt2589",
        "gwp100",
        "stationary_non_co2",
        "process_emissions",
    ]
    return FactorBook(
        fuels=fuels,
        processes=_processes(),
        grid_series=series,
        residual_grid=residual,
        grid_names=names,
        heat=_simple(heat, {"steam": f"tCO2/{HEAT_UNIT}", "hot_water": f"tCO2/{HEAT_UNIT}"}),
        tce=_tce(),
        gwp=dict(gwp),
        gwp_lineage={m: _lineage(gwp_data, m, gwp_data.rows[0].source, "VERIFIED") for m in gwp},
        non_co2_t_per_gj=dict(non_co2),
        non_co2_lineage=_lineage(non_co2_data, "ipcc2006_table2.3", non_co2_data.rows[0].source, "PARTIAL"),
        factor_sets={name: latest_version(name) for name in sets},
    )
