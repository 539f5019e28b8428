"""MRV worked examples computed by hand from the reference coefficients."""

from __future__ import annotations

from decimal import Decimal

import pytest

from citycarbon.domain.sinks.errors import RegistryError
from citycarbon.domain.sinks.mrv import (
    MeasuredQuantity,
    compute_forestry_report,
    compute_shellfish_report,
    issuable_tonnes,
)
from citycarbon.refdata.sinks import load_forestry_parameters, load_shellfish_parameters

#: Last column of 孙康 et al. 2020 Table 2 (tCO2 per t of wet harvest), recomputed in the reference.
PUBLISHED = {
    "oyster": 0.3515,
    "mussel": 0.4009,
    "scallop": 0.3728,
    "clam": 0.2347,
    "other_bivalve": 0.3565,
    "kelp": 0.2288,
    "wakame": 0.1936,
    "laver": 0.2009,
    "gracilaria": 0.1511,
    "other_seaweed": 0.2036,
}


def test_mussel_sale_of_2223_t() -> None:
    # Mussel: R_dw 0.7528; soft tissue 8.47 % at 44.40 % C; shell 91.53 % at 11.76 % C.
    # Per tonne: 0.7528 × (0.0847 × 0.444 + 0.9153 × 0.1176) × 44/12
    #          = 0.7528 × (0.0376068 + 0.10763928) × 3.6667 = 0.7528 × 0.14524608 × 3.6667 = 0.400918
    # 5,545 t harvested → 5,545 × 0.400918 = 2,223.09 t CO2 → 2,223 t issuable (rounded down);
    # 5,544 t would give 2,222.69 → 2,222 t, so 5,545 t is the smallest harvest that yields the sale.
    book, factor_set = load_shellfish_parameters()
    lines = compute_shellfish_report([MeasuredQuantity("mussel", Decimal(5545), "t")], book, factor_set)
    assert float(lines[0].sink_tco2e) == pytest.approx(2223.0898, abs=1e-3)
    assert issuable_tonnes(lines) == 2223
    fewer = compute_shellfish_report([MeasuredQuantity("mussel", Decimal(5544), "t")], book, factor_set)
    assert issuable_tonnes(fewer) == 2222
    assert {p.parameter for p in lines[0].parameters} == {
        "dry_wet_ratio",
        "soft_tissue_share",
        "shell_share",
        "c_soft_tissue",
        "c_shell",
    }
    assert all(p.status == "PARTIAL" and "2508" in p.source for p in lines[0].parameters)


@pytest.mark.parametrize(("species", "coefficient"), sorted(PUBLISHED.items()))
def test_every_species_reproduces_its_published_coefficient(species: str, coefficient: float) -> None:
    book, factor_set = load_shellfish_parameters()
    line = compute_shellfish_report([MeasuredQuantity(species, Decimal(1), "t")], book, factor_set)[0]
    assert float(line.sink_tco2e) == pytest.approx(coefficient, abs=6e-5)


def test_forestry_chinese_fir_worked_example() -> None:
    # 1,000 m3 of new stem volume of Chinese fir: WD 0.307 t/m3, BEF 1.634, R 0.246, CF 0.520.
    # 1000 × 0.307 × 1.634 = 501.638 t above-ground; × 1.246 = 625.0409 t total dry matter;
    # × 0.520 = 325.0213 tC; × 44/12 = 1,191.7447 tCO2. Less 100 t baseline and 40 t leakage = 1,051.7447.
    book, factor_set = load_forestry_parameters()
    lines = compute_forestry_report(
        [MeasuredQuantity("chinese_fir", Decimal(1000), "m**3")], book, factor_set, Decimal(100), Decimal(40)
    )
    assert float(lines[0].sink_tco2e) == pytest.approx(1191.7447, abs=1e-3)
    assert float(sum(line.sink_tco2e for line in lines)) == pytest.approx(1051.7447, abs=1e-3)
    assert issuable_tonnes(lines) == 1051
    assert all(p.status == "UNVERIFIED" for p in lines[0].parameters)


def test_unknown_species_is_refused() -> None:
    book, factor_set = load_shellfish_parameters()
    with pytest.raises(RegistryError):
        compute_shellfish_report([MeasuredQuantity("abalone", Decimal(1), "t")], book, factor_set)


def test_net_negative_report_issues_nothing() -> None:
    book, factor_set = load_forestry_parameters()
    lines = compute_forestry_report(
        [MeasuredQuantity("masson_pine", Decimal(1), "m**3")], book, factor_set, Decimal(50)
    )
    assert issuable_tonnes(lines) == 0
