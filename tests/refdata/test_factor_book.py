"""The factor book assembled from shipped reference data, checked against the published tables.

Every expected number is typed from china-reference.md (§2.1 set A, §2.2 set B, §3 grid and
heat) or from the cited standard (GB/T 2589-2020, IPCC 2006, AR5/AR6) and recomputed here.
"""

from __future__ import annotations

import math

import pytest

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.engines.factor_table import AccountingOptions, build_factor_table
from citycarbon.refdata.factor_book import load_factor_book

GJ_PER_TCE = 29.3076  # GB/T 2589-2020: 1 kgce = 29 307.6 kJ

# china-reference.md §2.1, set A: NCV, CC [tC/GJ], OF, published implied EF [tCO2/unit]
SET_A = {
    "raw_coal": (20.908, 0.02637, 0.94, 1.9003),
    "anthracite": (26.7, 0.0274, 0.94, 2.5215),
    "bituminous_coal": (19.570, 0.0261, 0.93, 1.7417),
    "lignite": (11.9, 0.0280, 0.96, 1.1729),
    "washed_coal": (26.334, 0.02541, 0.90, 2.2082),
    "other_washed_coal": (12.545, 0.02541, 0.90, 1.0519),
    "briquette": (17.460, 0.0336, 0.90, 1.9360),
    "coke": (28.435, 0.0295, 0.93, 2.8604),
    "petroleum_coke": (32.5, 0.0275, 0.98, 3.2115),
    "crude_oil": (41.816, 0.0201, 0.98, 3.0202),
    "fuel_oil": (41.816, 0.0211, 0.98, 3.1705),
    "gasoline": (43.070, 0.0189, 0.98, 2.9251),
    "diesel": (42.652, 0.0202, 0.98, 3.0959),
    "kerosene": (43.070, 0.0196, 0.98, 3.0334),
    "lng": (51.498, 0.0153, 0.98, 2.8313),
    "lpg": (50.179, 0.0172, 0.98, 3.1013),
    "naphtha": (44.5, 0.0200, 0.98, 3.1981),
    "coal_tar": (33.453, 0.0220, 0.98, 2.6446),
    "crude_benzene": (41.816, 0.0227, 0.98, 3.4109),
    "other_petroleum_products": (41.031, 0.0200, 0.98, 2.9488),
    "natural_gas": (389.31, 0.0153, 0.99, 21.622),
    "blast_furnace_gas": (33.00, 0.0708, 0.99, 8.4811),
    "converter_gas": (84.00, 0.0496, 0.99, 15.124),
    "coke_oven_gas": (179.81, 0.01358, 0.99, 8.8638),
    "refinery_dry_gas": (45.998, 0.0182, 0.99, 3.0389),
    "other_coal_gas": (52.270, 0.0122, 0.99, 2.3148),
}
GAS_UNIT = {"natural_gas", "blast_furnace_gas", "converter_gas", "coke_oven_gas", "other_coal_gas"}

# china-reference.md §2.2, set B: NCV, CC [tC/GJ], OF
SET_B = {
    "anthracite": (24.515, 0.02749, 0.94),
    "bituminous_coal": (23.204, 0.02618, 0.93),
    "lignite": (14.449, 0.02800, 0.96),
    "washed_coal": (26.344, 0.02540, 0.93),
    "coke": (28.446, 0.02940, 0.93),
    "crude_oil": (42.62, 0.02010, 0.98),
    "fuel_oil": (40.19, 0.02110, 0.98),
    "gasoline": (44.80, 0.01890, 0.98),
    "diesel": (43.33, 0.02020, 0.98),
    "kerosene": (44.75, 0.01960, 0.98),
    "lpg": (47.31, 0.01720, 0.99),
    "refinery_dry_gas": (46.05, 0.01820, 0.99),
    "natural_gas": (389.31, 0.01530, 0.99),
    "coke_oven_gas": (173.854, 0.01360, 0.99),
    "blast_furnace_gas": (37.69, 0.07080, 0.99),
    "converter_gas": (79.54, 0.04960, 0.99),
    "carbide_furnace_gas": (111.19, 0.03951, 0.99),
}


@pytest.fixture(scope="module")
def book_a() -> FactorBook:
    return load_factor_book("fuel_cn_gbt32151")


@pytest.fixture(scope="module")
def book_b() -> FactorBook:
    return load_factor_book("fuel_cn_alt")


def test_default_set_is_a(book_a: FactorBook) -> None:
    assert load_factor_book().fuels == book_a.fuels
    assert "fuel_cn_gbt32151" in book_a.factor_sets
    assert "fuel_cn_alt" not in book_a.factor_sets


def test_unknown_fuel_set_raises() -> None:
    with pytest.raises(ReferenceDataError, match="fuel_cn_nope"):
        load_factor_book("fuel_cn_nope")


@pytest.mark.parametrize("fuel", sorted(SET_A))
def test_set_a_parameters_and_factor(book_a: FactorBook, fuel: str) -> None:
    ncv, cc, of, published = SET_A[fuel]
    factor = book_a.fuels[fuel]
    assert factor.ncv_gj_per_unit == pytest.approx(ncv, rel=1e-12)
    assert factor.carbon_content_tc_per_gj == pytest.approx(cc, rel=1e-12)
    assert factor.oxidation_rate == pytest.approx(of, rel=1e-12)
    assert factor.co2_t_per_unit == pytest.approx(ncv * cc * of * 44 / 12, rel=1e-12)
    # the published implied factors are rounded to 4–5 significant figures
    assert factor.co2_t_per_unit == pytest.approx(published, rel=5e-5)
    assert factor.activity_unit == ("e4Nm3" if fuel in GAS_UNIT else "t")
    assert factor.lineage.lineage_id == f"fuel_cn_gbt32151@2024.1:{fuel}"
    assert factor.lineage.source.strip()


@pytest.mark.parametrize("fuel", sorted(SET_B))
def test_set_b_parameters_and_factor(book_b: FactorBook, fuel: str) -> None:
    ncv, cc, of = SET_B[fuel]
    factor = book_b.fuels[fuel]
    assert (factor.ncv_gj_per_unit, factor.carbon_content_tc_per_gj, factor.oxidation_rate) == pytest.approx(
        (ncv, cc, of), rel=1e-12
    )
    assert factor.co2_t_per_unit == pytest.approx(ncv * cc * of * 44 / 12, rel=1e-12)
    assert factor.lineage.lineage_id == f"fuel_cn_alt@2013.1:{fuel}"


def test_diesel_differs_between_sets(book_a: FactorBook, book_b: FactorBook) -> None:
    # china-reference.md §2.3: diesel 3.0959 (A) vs 3.1451 (B) tCO2/t
    a = 42.652 * 0.0202 * 0.98 * 44 / 12
    b = 43.33 * 0.0202 * 0.98 * 44 / 12
    assert round(a, 4) == 3.0959
    assert round(b, 4) == 3.1451
    assert book_a.fuels["diesel"].co2_t_per_unit == pytest.approx(a, rel=1e-12)
    assert book_b.fuels["diesel"].co2_t_per_unit == pytest.approx(b, rel=1e-12)


def test_sets_share_everything_but_fuels(book_a: FactorBook, book_b: FactorBook) -> None:
    assert book_a.grid_series == book_b.grid_series
    assert book_a.processes == book_b.processes
    assert book_a.heat == book_b.heat
    assert book_b.factor_sets["fuel_cn_alt"] == "2013.1"


@pytest.mark.parametrize(
    ("item", "published_kgce", "per", "expected_tce"),
    [
        # GB/T 2589-2020 Appendix A; 1 kgce/kg = 1 tce/t
        ("raw_coal", 0.7143, "kg", 0.7143),
        ("coke", 0.9714, "kg", 0.9714),
        ("diesel", 1.4571, "kg", 1.4571),
        ("fuel_oil", 1.4286, "kg", 1.4286),
        # 1.2143 kgce/m3 × 10^4 m3 = 12 143 kgce = 12.143 tce per 10^4 Nm3
        ("natural_gas", 1.2143, "m3", 12.143),
        ("coke_oven_gas", 0.5929, "m3", 5.929),
        # 0.1229 kgce/kWh × 1000 kWh/MWh = 122.9 kgce = 0.1229 tce per MWh
        ("electricity", 0.1229, "kWh", 0.1229),
        # 0.03412 kgce/MJ × 1000 MJ/GJ = 34.12 kgce = 0.03412 tce per GJ
        ("heat", 0.03412, "MJ", 0.03412),
    ],
)
def test_standard_coal_coefficients(
    book_a: FactorBook, item: str, published_kgce: float, per: str, expected_tce: float
) -> None:
    scale = {"kg": 1e3, "m3": 1e4, "kWh": 1e3, "MJ": 1e3}[per]  # canonical unit in that unit
    assert published_kgce * scale / 1e3 == pytest.approx(expected_tce, rel=1e-12)
    assert book_a.tce[item].value == pytest.approx(expected_tce, rel=1e-12)
    assert book_a.tce[item].lineage.lineage_id == f"standard_coal_gbt2589@2020.1:{item}"


def test_electricity_and_heat_coefficients_are_the_heat_equivalents(book_a: FactorBook) -> None:
    # 1 MWh = 3.6 GJ and 1 tce = 29.3076 GJ, so 0.1228 tce/MWh; the standard rounds to 0.1229
    assert book_a.tce["electricity"].value == pytest.approx(3.6 / GJ_PER_TCE, abs=1e-4)
    assert book_a.tce["heat"].value == pytest.approx(1 / GJ_PER_TCE, abs=1e-5)
    assert book_a.tce["electricity"].unit == "tce/MWh"
    assert book_a.tce["natural_gas"].unit == "tce/e4Nm3"


def _tce_column(book: FactorBook, fuel_set: str) -> dict[str, tuple[float, str]]:
    table = build_factor_table(book, [2023], AccountingOptions(fuel_set=fuel_set))
    fuels = table.filter(table["category"] == "fuel")
    return {r["item_code"]: (r["tce_per_unit"], r["flags"]) for r in fuels.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("fuel_set", "fuel", "ncv"),
    [
        ("fuel_cn_gbt32151", "lng", 51.498),
        ("fuel_cn_gbt32151", "anthracite", 26.7),
        ("fuel_cn_gbt32151", "blast_furnace_gas", 33.00),
        ("fuel_cn_alt", "anthracite", 24.515),
        ("fuel_cn_alt", "carbide_furnace_gas", 111.19),
    ],
)
def test_fuels_without_gbt2589_coefficient_fall_back_to_ncv(fuel_set: str, fuel: str, ncv: float) -> None:
    book = load_factor_book(fuel_set)
    assert fuel not in book.tce
    tce, flags = _tce_column(book, fuel_set)[fuel]
    assert tce == pytest.approx(ncv / GJ_PER_TCE, rel=1e-12)
    assert "tce_from_ncv" in flags.split(",")


def test_fuels_with_gbt2589_coefficient_use_it(book_a: FactorBook) -> None:
    column = _tce_column(book_a, "fuel_cn_gbt32151")
    # 0.7143 kgce/kg, not 20.908 / 29.3076 = 0.71340
    assert column["raw_coal"][0] == pytest.approx(0.7143, rel=1e-12)
    assert column["natural_gas"][0] == pytest.approx(12.143, rel=1e-12)
    assert "tce_from_ncv" not in column["raw_coal"][1].split(",")


def test_heat_factors(book_a: FactorBook) -> None:
    for item in ("steam", "hot_water"):
        assert book_a.heat[item].value == pytest.approx(0.11, rel=1e-12)
        assert book_a.heat[item].unit == "tCO2/GJ"


@pytest.mark.parametrize(
    ("process", "expected"),
    [
        ("cement_clinker", 0.65 * 44 / 56),  # IPCC default CaO 65 %
        ("lime", 0.95 * 44 / 56),  # high-calcium lime, CaO 95 %
        ("dolomitic_lime", 0.55 * 44 / 56 + 0.38 * 44 / 40),
        # IPCC 2006 Vol.3 Ch.2 Table 2.1 (published to five decimals)
        ("limestone", 0.43971),
        ("dolomite", 0.47732),
        ("soda_ash", 0.41492),
        ("magnesite", 0.52197),
    ],
)
def test_process_factors(book_a: FactorBook, process: str, expected: float) -> None:
    assert book_a.processes[process].co2_t_per_t == pytest.approx(expected, rel=1e-12)


def test_carbonate_factors_are_stoichiometric() -> None:
    # molar masses (IUPAC): C 12.011, O 15.999, Ca 40.078, Mg 24.305
    co2 = 12.011 + 2 * 15.999
    caco3 = 40.078 + 12.011 + 3 * 15.999
    mgco3 = 24.305 + 12.011 + 3 * 15.999
    book = load_factor_book()
    assert book.processes["limestone"].co2_t_per_t == pytest.approx(co2 / caco3, rel=5e-5)
    assert book.processes["magnesite"].co2_t_per_t == pytest.approx(co2 / mgco3, rel=5e-5)
    # china-reference.md §1.2 rounds them to 0.440 and 0.522
    assert round(book.processes["limestone"].co2_t_per_t, 3) == 0.440
    assert round(book.processes["magnesite"].co2_t_per_t, 3) == 0.522


def test_gwp_values(book_a: FactorBook) -> None:
    assert book_a.gwp["AR5GWP100"] == {"CO2": 1, "CH4": 28, "N2O": 265}
    assert book_a.gwp["AR6GWP100"] == {"CO2": 1, "CH4": 29.8, "N2O": 273}


def test_non_co2_factors_in_tonnes_per_gj(book_a: FactorBook) -> None:
    # IPCC 2006 Vol.2 Table 2.3 in kg/TJ; 1 kg/TJ = 1e-3 t / 1e3 GJ = 1e-6 t/GJ
    expected = {"coal": (10, 1.5), "oil": (3, 0.6), "gas": (1, 0.1)}
    for family, (ch4, n2o) in expected.items():
        assert book_a.non_co2_t_per_gj[family]["CH4"] == pytest.approx(ch4 * 1e-6, rel=1e-12)
        assert book_a.non_co2_t_per_gj[family]["N2O"] == pytest.approx(n2o * 1e-6, rel=1e-12)


def test_fuel_families(book_a: FactorBook) -> None:
    assert book_a.fuels["raw_coal"].ipcc_family == "coal"
    assert book_a.fuels["diesel"].ipcc_family == "oil"
    assert book_a.fuels["natural_gas"].ipcc_family == "gas"


def test_grid_series_are_sorted_and_in_tco2_per_mwh(book_a: FactorBook) -> None:
    for code, series in book_a.grid_series.items():
        years = [f.data_year for f in series]
        assert years == sorted(years), code
        assert all(0 < f.co2_t_per_mwh < 1.5 for f in series), code
    national = {f.data_year: f.co2_t_per_mwh for f in book_a.grid_series["national"]}
    assert national == pytest.approx({2021: 0.5568, 2022: 0.5366, 2023: 0.5306}, rel=1e-12)


def test_every_grid_has_a_residual_grid_and_names(book_a: FactorBook) -> None:
    assert set(book_a.grid_series) <= set(book_a.residual_grid)
    assert book_a.residual_grid["national"] == "national_residual"
    assert book_a.residual_grid["zhejiang"] == "national_residual"
    assert book_a.grid_names["zhejiang"] == ("浙江", "Zhejiang")
    assert math.isclose(book_a.grid_factor("national_residual", 2022).factor.co2_t_per_mwh, 0.5856)
