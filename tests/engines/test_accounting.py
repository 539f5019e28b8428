"""The vectorised accounting engine on a hand-built activity frame, against hand-computed totals.

Every expected number below is computed in this file from the published parameters
(china-reference.md §2.1 set A, §3 grid and heat factors, GB/T 2589-2020 standard-coal
coefficients, IPCC 2006 process and CH4/N2O defaults, AR5/AR6 GWPs).
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from citycarbon.domain.errors import UnitError
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.engines.accounting import AccountingResult, account
from citycarbon.engines.factor_table import AccountingOptions
from citycarbon.refdata.factor_book import load_factor_book

REL = 1e-9

# --- published parameters -------------------------------------------------------------------
C_TO_CO2 = 44 / 12
EF = {  # set A: NCV × CC × OF × 44/12  [tCO2 per t or per 10^4 Nm3]
    "diesel": 42.652 * 0.0202 * 0.98 * C_TO_CO2,
    "raw_coal": 20.908 * 0.02637 * 0.94 * C_TO_CO2,
    "natural_gas": 389.31 * 0.0153 * 0.99 * C_TO_CO2,
    "coke_oven_gas": 179.81 * 0.01358 * 0.99 * C_TO_CO2,
}
NCV = {"diesel": 42.652, "raw_coal": 20.908, "natural_gas": 389.31}
GRID = {2021: 0.5568, 2022: 0.5366, 2023: 0.5306}  # national average, MEE+NBS [tCO2/MWh]
RESIDUAL = {2022: 0.5856, 2023: 0.6096}  # national excl. market-traded non-fossil
ZHEJIANG_2022 = 0.5153
HEAT = 0.11  # tCO2/GJ
CLINKER = 0.65 * 44 / 56  # IPCC default CaO of clinker
LIMESTONE = 0.43971  # IPCC 2006 Vol.3 Table 2.1
SODA_ASH = 0.41492  # IPCC 2006 Vol.3 Table 2.1
TCE = {  # GB/T 2589-2020, converted to tce per canonical unit
    "diesel": 1.4571,
    "raw_coal": 0.7143,
    "natural_gas": 1.2143 * 1e4 / 1e3,
    "coke_oven_gas": 0.5929 * 1e4 / 1e3,
    "electricity": 0.1229,
    "heat": 0.03412,
}

U1 = "91330100716105852F"
U2 = "914403001922038216"

# uscc, site, period, year, category, item_code, quantity (as reported), unit
ROWS: list[tuple[str, str, str, int, str, str, float, str]] = [
    (U1, "", "2022-01", 2022, "fuel", "diesel", 10.0, "t"),
    (U1, "", "2022-01", 2022, "fuel", "raw_coal", 500.0, "kg"),
    (U2, "", "2022-03", 2022, "electricity", "grid", 20.0, "万千瓦时"),
    (U1, "", "2022-01", 2022, "fuel", "natural_gas", 2.0, "万立方米"),
    (U1, "", "2022-01", 2022, "fuel", "coke_oven_gas", 50000.0, "m3"),
    (U1, "", "2022-01", 2022, "electricity", "grid", 100000.0, "kWh"),
    (U2, "", "2022-03", 2022, "electricity", "green", 50000.0, "kWh"),
    (U1, "north", "2022-01", 2022, "electricity", "grid", 3.0, "万千瓦时"),
    (U1, "", "2022-01", 2022, "electricity", "export", 20.0, "MWh"),
    (U1, "", "2022-01", 2022, "heat", "steam", 1000.0, "GJ"),
    (U2, "", "2022-03", 2022, "heat", "steam", 300.0, "百万千焦"),
    (U1, "", "2022-01", 2022, "heat", "hot_water", 500000.0, "MJ"),
    (U1, "north", "2022-01", 2022, "heat", "steam", 200.0, "百万千焦"),
    (U1, "", "2022-01", 2022, "process", "cement_clinker", 1000.0, "t"),
    (U2, "", "2022-03", 2022, "fuel", "natural_gas", 15000.0, "m3"),
    (U1, "", "2022-01", 2022, "process", "limestone", 200.0, "t"),
    (U1, "", "2022-01", 2022, "process", "soda_ash", 50.0, "t"),
    (U1, "", "2024-01", 2024, "fuel", "diesel", 1.0, "t"),
    (U1, "", "2024-01", 2024, "electricity", "grid", 10.0, "MWh"),
]

# Expected emissions of each line above, in order [tCO2e], and energy [tce].
EXPECTED_LINES = [
    10 * EF["diesel"],
    0.5 * EF["raw_coal"],
    200 * RESIDUAL[2022],  # U2 holds green certificates: market-based
    2 * EF["natural_gas"],
    5 * EF["coke_oven_gas"],
    100 * GRID[2022],
    0.0,  # green electricity with certificate
    30 * GRID[2022],
    -20 * GRID[2022],  # exported electricity is deducted
    1000 * HEAT,
    300 * HEAT,
    500 * HEAT,
    200 * HEAT,
    1000 * CLINKER,
    1.5 * EF["natural_gas"],
    200 * LIMESTONE,
    50 * SODA_ASH,
    1 * EF["diesel"],
    10 * GRID[2023],  # 2024 data: latest published factor (2023)
]
EXPECTED_ENERGY = [
    10 * TCE["diesel"],
    0.5 * TCE["raw_coal"],
    200 * TCE["electricity"],
    2 * TCE["natural_gas"],
    5 * TCE["coke_oven_gas"],
    100 * TCE["electricity"],
    50 * TCE["electricity"],
    30 * TCE["electricity"],
    -20 * TCE["electricity"],
    1000 * TCE["heat"],
    300 * TCE["heat"],
    500 * TCE["heat"],
    200 * TCE["heat"],
    0.0,
    1.5 * TCE["natural_gas"],
    0.0,
    0.0,
    1 * TCE["diesel"],
    10 * TCE["electricity"],
]
CANONICAL_QUANTITY = [10, 0.5, 200, 2, 5, 100, 50, 30, -20, 1000, 300, 500, 200, 1000, 1.5, 200, 50, 1, 10]

U1_2022_SCOPE1 = (
    10 * EF["diesel"]
    + 0.5 * EF["raw_coal"]
    + 2 * EF["natural_gas"]
    + 5 * EF["coke_oven_gas"]
    + 1000 * CLINKER
    + 200 * LIMESTONE
    + 50 * SODA_ASH
)
U1_2022_SCOPE2 = (100 + 30 - 20) * GRID[2022] + (1000 + 500 + 200) * HEAT
U1_2022_ENERGY = (
    10 * TCE["diesel"]
    + 0.5 * TCE["raw_coal"]
    + 2 * TCE["natural_gas"]
    + 5 * TCE["coke_oven_gas"]
    + 110 * TCE["electricity"]
    + 1700 * TCE["heat"]
)
U2_2022_SCOPE1 = 1.5 * EF["natural_gas"]
U2_2022_SCOPE2 = 200 * RESIDUAL[2022] + 0 * 50 + 300 * HEAT
U2_2022_SCOPE2_LOCATION = (200 + 50) * GRID[2022] + 300 * HEAT
U2_2022_ENERGY = 1.5 * TCE["natural_gas"] + 250 * TCE["electricity"] + 300 * TCE["heat"]
U1_2024_SCOPE1 = EF["diesel"]
U1_2024_SCOPE2 = 10 * GRID[2023]
U1_2024_ENERGY = TCE["diesel"] + 10 * TCE["electricity"]


def activity(rows: list[tuple[str, str, str, int, str, str, float, str]] = ROWS) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        orient="row",
        schema={
            "uscc": pl.String,
            "site": pl.String,
            "period": pl.String,
            "year": pl.Int32,
            "category": pl.String,
            "item_code": pl.String,
            "quantity": pl.Float64,
            "unit": pl.String,
        },
    )
    return frame.with_columns(pl.int_range(2, frame.height + 2, dtype=pl.Int64).alias("row_number"))


@pytest.fixture(scope="module")
def book() -> FactorBook:
    return load_factor_book("fuel_cn_gbt32151")


@pytest.fixture(scope="module")
def result(book: FactorBook) -> AccountingResult:
    return account(activity(), book, AccountingOptions())


def totals_of(result: AccountingResult) -> dict[tuple[str, str], dict[str, Any]]:
    return {(t["uscc"], t["period"]): t for t in result.totals.iter_rows(named=True)}


def test_hand_computed_factors_match_published_values() -> None:
    # guards the arithmetic of this file against the published implied factors
    assert round(EF["diesel"], 4) == 3.0959
    assert round(EF["raw_coal"], 4) == 1.9003
    assert round(EF["natural_gas"], 3) == 21.622
    assert round(EF["coke_oven_gas"], 4) == 8.8638
    assert TCE["natural_gas"] == pytest.approx(12.143)


def test_line_emissions(result: AccountingResult) -> None:
    got = result.lines["emissions_tco2e"].to_list()
    assert len(got) == len(EXPECTED_LINES)
    for index, (value, expected) in enumerate(zip(got, EXPECTED_LINES, strict=True)):
        assert value == pytest.approx(expected, rel=REL, abs=1e-12), ROWS[index]


def test_line_energy_and_canonical_quantity(result: AccountingResult) -> None:
    for index, line in enumerate(result.lines.iter_rows(named=True)):
        assert line["energy_tce"] == pytest.approx(EXPECTED_ENERGY[index], rel=REL, abs=1e-12), ROWS[index]
        assert line["quantity_canonical"] == pytest.approx(CANONICAL_QUANTITY[index], rel=REL), ROWS[index]


def test_line_order_and_reported_values_are_preserved(result: AccountingResult) -> None:
    lines = result.lines
    assert lines["row_number"].to_list() == list(range(2, len(ROWS) + 2))
    assert lines.select("uscc", "period", "item_code", "quantity", "unit").rows() == [
        (r[0], r[2], r[5], r[6], r[7]) for r in ROWS
    ]
    assert lines["site"].to_list() == [r[1] for r in ROWS]


def test_totals_per_organisation_and_period(result: AccountingResult) -> None:
    totals = totals_of(result)
    assert set(totals) == {(U1, "2022-01"), (U2, "2022-03"), (U1, "2024-01")}
    expected = {
        (U1, "2022-01"): (U1_2022_SCOPE1, U1_2022_SCOPE2, U1_2022_ENERGY),
        (U2, "2022-03"): (U2_2022_SCOPE1, U2_2022_SCOPE2, U2_2022_ENERGY),
        (U1, "2024-01"): (U1_2024_SCOPE1, U1_2024_SCOPE2, U1_2024_ENERGY),
    }
    for key, (scope1, scope2, energy) in expected.items():
        total = totals[key]
        assert total["scope1_tco2e"] == pytest.approx(scope1, rel=REL), key
        assert total["scope2_tco2e"] == pytest.approx(scope2, rel=REL), key
        assert total["total_tco2e"] == pytest.approx(scope1 + scope2, rel=REL), key
        assert total["energy_tce"] == pytest.approx(energy, rel=REL), key


def test_worked_totals_in_round_numbers(result: AccountingResult) -> None:
    # the same totals written out, so an error in the constants above would show up too
    total = totals_of(result)[(U1, "2022-01")]
    # 30.9591 + 0.9501 + 43.2438 + 44.3189 + 510.7143 + 87.942 + 20.746 = 738.874
    assert total["scope1_tco2e"] == pytest.approx(738.874, abs=1e-3)
    # 110 × 0.5366 + 1700 × 0.11 = 59.026 + 187 = 246.026
    assert total["scope2_tco2e"] == pytest.approx(246.026, abs=1e-9)


def test_market_based_scope2(result: AccountingResult) -> None:
    totals = totals_of(result)
    market = totals[(U2, "2022-03")]
    assert market["uses_market"] is True
    assert market["scope2_tco2e"] == pytest.approx(U2_2022_SCOPE2, rel=REL)
    assert market["scope2_market_tco2e"] == pytest.approx(U2_2022_SCOPE2, rel=REL)
    # location-based view: every kWh, green ones included, at the 2022 national average
    assert market["scope2_location_tco2e"] == pytest.approx(U2_2022_SCOPE2_LOCATION, rel=REL)
    location = totals[(U1, "2022-01")]
    assert location["uses_market"] is False
    assert location["scope2_location_tco2e"] == pytest.approx(U1_2022_SCOPE2, rel=REL)
    assert location["scope2_market_tco2e"] == pytest.approx(
        (100 + 30 - 20) * RESIDUAL[2022] + 1700 * HEAT, rel=REL
    )


def test_scope2_method_per_line(result: AccountingResult) -> None:
    methods = dict(
        zip(
            zip(result.lines["uscc"], result.lines["period"], strict=True),
            result.lines["scope2_method"],
            strict=True,
        )
    )
    assert methods[(U2, "2022-03")] == "market"
    assert methods[(U1, "2022-01")] == "location"


def test_lineage_per_line(result: AccountingResult) -> None:
    ids = result.lines["lineage_id"].to_list()
    expected = [
        "fuel_cn_gbt32151@2024.1:diesel",
        "fuel_cn_gbt32151@2024.1:raw_coal",
        "grid_electricity@2026.1:national_residual:2022",
        "fuel_cn_gbt32151@2024.1:natural_gas",
        "fuel_cn_gbt32151@2024.1:coke_oven_gas",
        "grid_electricity@2026.1:national:2022",
        "zero_emission_certificate",
        "grid_electricity@2026.1:national:2022",
        "grid_electricity@2026.1:national:2022",
        "heat_purchased@2015.1:steam",
        "heat_purchased@2015.1:steam",
        "heat_purchased@2015.1:hot_water",
        "heat_purchased@2015.1:steam",
        "process_emissions@2024.1:cement_clinker",
        "fuel_cn_gbt32151@2024.1:natural_gas",
        "process_emissions@2024.1:limestone",
        "process_emissions@2024.1:soda_ash",
        "fuel_cn_gbt32151@2024.1:diesel",
        "grid_electricity@2026.1:national:2023",
    ]
    assert ids == expected


def test_flags_for_data_year_without_published_factor(result: AccountingResult) -> None:
    lines = result.lines
    flags = [(f or "").split(",") for f in lines["flags"].to_list()]
    assert "latest_published:2023" in flags[-1]
    # 2022 factors are published for 2022: no substitution flag
    for index, row in enumerate(ROWS):
        if row[4] == "electricity" and row[3] == 2022:
            assert not any(f.startswith(("latest_published", "nearest_earlier")) for f in flags[index]), row


def test_tce_lineage(result: AccountingResult) -> None:
    tce = result.lines["tce_lineage"].to_list()
    assert tce[0] == "standard_coal_gbt2589@2020.1:diesel"
    assert tce[5] == "standard_coal_gbt2589@2020.1:electricity"
    assert tce[9] == "standard_coal_gbt2589@2020.1:heat"


def test_totals_list_the_lineage_ids_used(result: AccountingResult) -> None:
    lines = result.lines
    for total in result.totals.iter_rows(named=True):
        mine = lines.filter((pl.col("uscc") == total["uscc"]) & (pl.col("period") == total["period"]))
        assert total["lineage_ids"] == sorted(set(mine["lineage_id"]))


def test_other_grid_changes_only_scope2(book: FactorBook, result: AccountingResult) -> None:
    zhejiang = account(activity(), book, AccountingOptions(grid_code="zhejiang"))
    base, other = totals_of(result), totals_of(zhejiang)
    for key in base:
        assert other[key]["scope1_tco2e"] == pytest.approx(base[key]["scope1_tco2e"], rel=1e-15)
        assert other[key]["energy_tce"] == pytest.approx(base[key]["energy_tce"], rel=1e-15)
    assert other[(U1, "2022-01")]["scope2_tco2e"] == pytest.approx(110 * ZHEJIANG_2022 + 1700 * HEAT, rel=REL)
    # Zhejiang has no 2023 factor: 2024 data uses 2022's, flagged
    assert other[(U1, "2024-01")]["scope2_tco2e"] == pytest.approx(10 * ZHEJIANG_2022, rel=REL)
    assert "latest_published:2022" in (zhejiang.lines["flags"][-1] or "").split(",")
    assert zhejiang.lines["lineage_id"][-1] == "grid_electricity@2026.1:zhejiang:2022"
    # the market-based organisation keeps the national residual factor; its location view moves
    assert other[(U2, "2022-03")]["scope2_tco2e"] == pytest.approx(U2_2022_SCOPE2, rel=REL)
    assert other[(U2, "2022-03")]["scope2_location_tco2e"] == pytest.approx(
        250 * ZHEJIANG_2022 + 300 * HEAT, rel=REL
    )
    assert zhejiang.lines["emissions_tco2e"].to_list()[:2] == result.lines["emissions_tco2e"].to_list()[:2]


NON_CO2_ROWS = [
    (U1, "", "2022-01", 2022, "fuel", "raw_coal", 100.0, "t"),
    (U1, "", "2022-01", 2022, "fuel", "diesel", 10.0, "t"),
    (U1, "", "2022-01", 2022, "fuel", "natural_gas", 2.0, "万立方米"),
]
# IPCC 2006 Vol.2 Ch.2 Table 2.3 (manufacturing), kg/TJ: coal 10 / 1.5, oil 3 / 0.6, gas 1 / 0.1
NON_CO2_KG_PER_TJ = {"raw_coal": (10, 1.5), "diesel": (3, 0.6), "natural_gas": (1, 0.1)}
GWP = {"AR5GWP100": (28, 265), "AR6GWP100": (29.8, 273)}


def _non_co2(fuel: str, quantity: float, metric: str) -> float:
    heat_tj = quantity * NCV[fuel] / 1000
    ch4_kg, n2o_kg = (factor * heat_tj for factor in NON_CO2_KG_PER_TJ[fuel])
    gwp_ch4, gwp_n2o = GWP[metric]
    return (ch4_kg * gwp_ch4 + n2o_kg * gwp_n2o) / 1000


def test_coal_non_co2_worked_example() -> None:
    # 100 t raw coal = 2.0908 TJ; CH4 20.908 kg, N2O 3.1362 kg
    # AR5: 20.908 × 28 + 3.1362 × 265 = 585.424 + 831.093 = 1416.517 kg = 1.416517 tCO2e
    assert _non_co2("raw_coal", 100, "AR5GWP100") == pytest.approx(1.416517, rel=1e-9)
    # AR6: 20.908 × 29.8 + 3.1362 × 273 = 623.0584 + 856.1826 = 1479.241 kg
    assert _non_co2("raw_coal", 100, "AR6GWP100") == pytest.approx(1.479241, rel=1e-9)


@pytest.mark.parametrize("metric", ["AR5GWP100", "AR6GWP100"])
def test_ch4_and_n2o_option(book: FactorBook, metric: str) -> None:
    frame = activity(NON_CO2_ROWS)
    plain = account(frame, book, AccountingOptions())
    with_gases = account(frame, book, AccountingOptions(include_non_co2=True, gwp_metric=metric))  # type: ignore[arg-type]
    co2 = [100 * EF["raw_coal"], 10 * EF["diesel"], 2 * EF["natural_gas"]]
    extra = [
        _non_co2("raw_coal", 100, metric),
        _non_co2("diesel", 10, metric),
        _non_co2("natural_gas", 2, metric),
    ]
    assert plain.lines["emissions_tco2e"].to_list() == pytest.approx(co2, rel=REL)
    assert with_gases.lines["emissions_tco2e"].to_list() == pytest.approx(
        [c + e for c, e in zip(co2, extra, strict=True)], rel=REL
    )
    assert with_gases.totals["scope1_tco2e"][0] == pytest.approx(sum(co2) + sum(extra), rel=REL)
    assert all(f"non_co2:{metric}" in (f or "").split(",") for f in with_gases.lines["flags"])
    assert not any("non_co2" in (f or "") for f in plain.lines["flags"])


def test_ar6_exceeds_ar5_by_the_hand_computed_difference(book: FactorBook) -> None:
    frame = activity(NON_CO2_ROWS[:1])
    ar5 = account(frame, book, AccountingOptions(include_non_co2=True, gwp_metric="AR5GWP100"))
    ar6 = account(frame, book, AccountingOptions(include_non_co2=True, gwp_metric="AR6GWP100"))
    difference = ar6.totals["total_tco2e"][0] - ar5.totals["total_tco2e"][0]
    assert difference == pytest.approx(1.479241 - 1.416517, rel=1e-6)


def test_set_b_changes_fuel_lines_only() -> None:
    rows = [ROWS[0], ROWS[5]]  # diesel and grid electricity
    frame = activity(rows)
    alt = account(frame, load_factor_book("fuel_cn_alt"), AccountingOptions(fuel_set="fuel_cn_alt"))
    assert alt.lines["emissions_tco2e"].to_list() == pytest.approx(
        [10 * 43.33 * 0.0202 * 0.98 * C_TO_CO2, 100 * GRID[2022]], rel=REL
    )
    assert alt.lines["lineage_id"][0] == "fuel_cn_alt@2013.1:diesel"


def test_wrong_unit_raises_unit_error(book: FactorBook) -> None:
    frame = activity([(U1, "", "2022-01", 2022, "fuel", "raw_coal", 1.0, "kWh")])
    with pytest.raises(UnitError, match="kWh"):
        account(frame, book)


def test_unknown_item_raises(book: FactorBook) -> None:
    frame = activity([(U1, "", "2022-01", 2022, "fuel", "unobtainium", 1.0, "t")])
    with pytest.raises(UnitError, match="unobtainium"):
        account(frame, book)


def test_year_with_no_published_factor_before_it_uses_earliest(book: FactorBook) -> None:
    frame = activity([(U1, "", "2019-01", 2019, "electricity", "grid", 10.0, "MWh")])
    lines = account(frame, book).lines
    assert lines["emissions_tco2e"][0] == pytest.approx(10 * GRID[2021], rel=REL)
    assert "earliest_published:2021" in lines["flags"][0].split(",")


def test_market_based_line_records_source_and_status_of_the_factor_applied(book: FactorBook) -> None:
    frame = activity(
        [
            (U2, "", "2023-06", 2023, "electricity", "grid", 10.0, "MWh"),
            (U2, "", "2023-06", 2023, "electricity", "green", 5.0, "MWh"),
        ]
    )
    line = account(frame, book).lines.row(0, named=True)
    assert line["lineage_id"] == "grid_electricity@2026.1:national_residual:2023"
    assert line["emissions_tco2e"] == pytest.approx(10 * RESIDUAL[2023], rel=REL)
    residual = book.grid_factor("national_residual", 2023).factor.lineage
    assert line["factor_status"] == residual.status  # PARTIAL in grid_factors.csv
    assert line["factor_source"] == residual.source
