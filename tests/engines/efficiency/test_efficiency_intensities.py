"""Intensities and the explicit reasons for bad input: never a crash, never inf or NaN."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest


def test_intensities_are_hand_computed_ratios(kit: SimpleNamespace) -> None:
    frame = kit.firms(
        {
            "emissions_tco2e": 120.0,
            "energy_tce": 30.0,
            "output_value_10k_cny": 600.0,
            "value_added_10k_cny": 150.0,
            "area_mu": 12.0,
            "product_output": 40.0,
            "product_unit": "t",
        },
    )
    row = kit.by_id(kit.rate(frame).grades)[1]
    assert row["intensity_tco2e_per_10k_cny"] == pytest.approx(120 / 150)
    assert row["intensity_output_tco2e_per_10k_cny"] == pytest.approx(120 / 600)
    assert row["intensity_tco2e_per_product_unit"] == pytest.approx(120 / 40)
    assert row["energy_intensity_tce_per_10k_cny"] == pytest.approx(30 / 150)
    assert row["emissions_per_mu_tco2e"] == pytest.approx(120 / 12)
    assert row["output_per_mu_10k_cny"] == pytest.approx(600 / 12)


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"emissions_tco2e": None}, "no_emissions"),
        (
            {"has_production": False, "value_added_10k_cny": None, "output_value_10k_cny": None},
            "no_production",
        ),
        ({"industry_code": None}, "no_industry_code"),
        ({"industry_code": "C"}, "industry_code_too_coarse"),
        ({"value_added_10k_cny": None}, "value_added_missing"),
        ({"value_added_10k_cny": 0.0}, "value_added_not_positive"),
        ({"value_added_10k_cny": -50.0}, "value_added_not_positive"),
        ({"output_value_10k_cny": 0.0}, "output_not_positive"),
        ({"output_value_10k_cny": -1.0}, "output_not_positive"),
    ],
)
def test_bad_input_gets_its_reason_and_no_grade(
    kit: SimpleNamespace, changes: dict[str, object], reason: str
) -> None:
    frame = kit.firms({}, {}, {}, changes)
    row = kit.by_id(kit.rate(frame).grades)[4]
    assert row["not_rated_reason"] == reason
    assert row["grade"] is None and row["k_industry"] is None
    assert row["is_benchmark_peer"] is False
    for name, value in row.items():
        if isinstance(value, float):
            assert math.isfinite(value), name


def test_zero_land_and_zero_product_give_null_not_infinity(kit: SimpleNamespace) -> None:
    row = kit.by_id(kit.rate(kit.firms({"area_mu": 0.0, "product_output": 0.0, "product_unit": "t"})).grades)[
        1
    ]
    assert row["emissions_per_mu_tco2e"] is None
    assert row["output_per_mu_10k_cny"] is None
    assert row["intensity_tco2e_per_product_unit"] is None


def test_excluded_firm_is_not_a_peer_of_the_benchmark(kit: SimpleNamespace) -> None:
    # Three valid firms (E/VA = 1, 2, 3) and one with zero output that must not count.
    frame = kit.firms(
        {"emissions_tco2e": 100.0},
        {"emissions_tco2e": 200.0},
        {"emissions_tco2e": 300.0},
        {"emissions_tco2e": 9000.0, "output_value_10k_cny": 0.0},
    )
    benchmark = kit.rate(frame).benchmarks.filter(industry_level="class").row(0, named=True)
    assert benchmark["peer_count"] == 3
    assert benchmark["intensity_tco2e_per_10k_cny"] == pytest.approx(600 / 300)
