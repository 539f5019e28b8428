"""Scalar accounting formulas against worked examples from published parameters.

The fuel examples are the independent cross-check of china-reference.md §2.1: the implied
factor NCV × CC × OF × 44/12 of raw coal, coke, diesel, fuel oil and natural gas (set A) matches
an independent published factor list to 4–5 significant figures.
"""

from __future__ import annotations

import math

import pytest

from citycarbon.domain.ledger import formulas

# Set A parameters (china-reference.md §2.1): NCV [GJ/unit], CC [tC/GJ], OF [fraction], and
# the published implied factor [tCO2/unit] with the number of decimals it is published with.
SET_A = {
    "raw_coal": (20.908, 0.02637, 0.94, 1.9003, 4),
    "coke": (28.435, 0.0295, 0.93, 2.8604, 4),
    "diesel": (42.652, 0.0202, 0.98, 3.0959, 4),
    "fuel_oil": (41.816, 0.0211, 0.98, 3.1705, 4),
    "natural_gas": (389.31, 0.0153, 0.99, 21.622, 3),
}


def test_constants_are_the_stoichiometric_ratios() -> None:
    assert math.isclose(formulas.CO2_PER_C, 44 / 12, rel_tol=1e-15)
    assert math.isclose(formulas.CO2_PER_CAO, 44 / 56, rel_tol=1e-15)
    assert math.isclose(formulas.CO2_PER_MGO, 44 / 40, rel_tol=1e-15)
    assert formulas.GJ_PER_TCE == 29.3076


@pytest.mark.parametrize("fuel", sorted(SET_A))
def test_fuel_emission_factor_matches_published_implied_factor(fuel: str) -> None:
    ncv, cc, of, published, decimals = SET_A[fuel]
    by_hand = ncv * cc * of * 44 / 12
    factor = formulas.fuel_emission_factor(ncv, cc, of)
    assert factor == pytest.approx(by_hand, rel=1e-12)
    assert round(factor, decimals) == published


def test_raw_coal_worked_example() -> None:
    # 20.908 × 0.02637 = 0.55134396; × 0.94 = 0.5182633; × 44/12 = 1.900299 tCO2/t
    assert formulas.fuel_emission_factor(20.908, 0.02637, 0.94) == pytest.approx(1.9002988, rel=1e-7)


def test_natural_gas_worked_example() -> None:
    # 389.31 × 0.0153 = 5.956443; × 0.99 = 5.89687857; × 44/12 = 21.6218881 tCO2 / 10^4 Nm3
    assert formulas.fuel_emission_factor(389.31, 0.0153, 0.99) == pytest.approx(21.6218881, rel=1e-8)


def test_fuel_combustion_scales_with_quantity() -> None:
    # Diesel, set A: 10 t × 42.652 GJ/t × 0.0202 tC/GJ × 0.98 × 44/12
    expected = 10 * 42.652 * 0.0202 * 0.98 * 44 / 12
    assert formulas.fuel_combustion_co2(10, 42.652, 0.0202, 0.98) == pytest.approx(expected, rel=1e-12)
    assert expected == pytest.approx(30.959, abs=5e-4)
    assert formulas.fuel_combustion_co2(0, 42.652, 0.0202, 0.98) == 0


def test_set_b_diesel_differs_from_set_a() -> None:
    # china-reference.md §2.3: diesel 3.0959 (A) vs 3.1451 (B) tCO2/t; B NCV 43.33 GJ/t
    assert round(formulas.fuel_emission_factor(43.33, 0.0202, 0.98), 4) == 3.1451


def test_clinker_factor() -> None:
    # IPCC default clinker CaO 65 %, MgO ignored: 0.65 × 44/56 = 0.5107 tCO2/t
    assert formulas.oxide_process_factor(0.65, 0.0) == pytest.approx(0.65 * 44 / 56, rel=1e-15)
    assert round(formulas.oxide_process_factor(0.65, 0.0), 4) == 0.5107


def test_lime_factors() -> None:
    # Stoichiometric upper bounds of china-reference.md §1.2: pure CaO 0.786, pure MgO 1.100
    assert round(formulas.oxide_process_factor(1.0, 0.0), 3) == 0.786
    assert round(formulas.oxide_process_factor(0.0, 1.0), 3) == 1.100
    # High-calcium lime, CaO 95 %: 0.95 × 44/56 = 0.7464 (IPCC Table 2.4 rounds to 0.75)
    assert formulas.oxide_process_factor(0.95, 0.0) == pytest.approx(0.95 * 44 / 56, rel=1e-15)
    assert round(formulas.oxide_process_factor(0.95, 0.0), 2) == 0.75
    # Dolomitic lime, CaO 55 % and MgO 38 %: 0.55 × 44/56 + 0.38 × 44/40
    expected = 0.55 * 44 / 56 + 0.38 * 44 / 40
    assert formulas.oxide_process_factor(0.55, 0.38) == pytest.approx(expected, rel=1e-15)
    assert expected == pytest.approx(0.8501, abs=1e-4)


def test_heat_emissions() -> None:
    # 1 500 GJ of purchased steam at the guide default 0.11 tCO2/GJ = 165 tCO2
    assert formulas.indirect_emissions(1500, 0.11) == pytest.approx(165.0, rel=1e-12)


def test_electricity_emissions() -> None:
    # 100 MWh at the 2022 national average 0.5366 tCO2/MWh = 53.66 tCO2
    assert formulas.indirect_emissions(100, 0.5366) == pytest.approx(53.66, rel=1e-12)


def test_non_co2_emissions_coal() -> None:
    # 1 t raw coal = 20.908 GJ; IPCC 2006 Table 2.3: CH4 10 kg/TJ, N2O 1.5 kg/TJ; AR5 28 / 265
    heat = 20.908
    ch4, n2o = 10e-3 / 1e3, 1.5e-3 / 1e3  # t/GJ
    expected = heat * (ch4 * 28 + n2o * 265)
    assert expected == pytest.approx(0.01416517, rel=1e-6)
    got = formulas.non_co2_emissions_tco2e(heat, ch4, n2o, 28, 265)
    assert got == pytest.approx(expected, rel=1e-12)
    ar6 = formulas.non_co2_emissions_tco2e(heat, ch4, n2o, 29.8, 273)
    assert ar6 == pytest.approx(heat * (ch4 * 29.8 + n2o * 273), rel=1e-12)
    assert ar6 > got


def test_tce_from_ncv() -> None:
    # GB/T 2589: 1 kgce = 29.3076 MJ, so raw coal of 20.908 GJ/t is 0.7134 tce/t
    assert formulas.tce_per_unit_from_ncv(29.3076) == pytest.approx(1.0, rel=1e-15)
    assert formulas.tce_per_unit_from_ncv(20.908) == pytest.approx(20.908 / 29.3076, rel=1e-12)
    assert math.isclose(formulas.tce_per_unit_from_ncv(20.908), 0.71340, abs_tol=5e-6)
