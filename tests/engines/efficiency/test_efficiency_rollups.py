"""Roll-ups by region level and industry level, checked against hand sums."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest


def test_region_and_industry_rollups(kit: SimpleNamespace) -> None:
    frame = kit.firms(
        # Jiaojiang (331002), class C3411: L = 0.5, 1.0, 2.0 → grades 1, 2, 4 (benchmark 1.25).
        {"emissions_tco2e": 100.0, "value_added_10k_cny": 200.0, "area_mu": 10.0},
        {"emissions_tco2e": 300.0, "value_added_10k_cny": 300.0, "area_mu": 20.0},
        {"emissions_tco2e": 600.0, "value_added_10k_cny": 300.0, "area_mu": 30.0, "region_code": "331003"},
        # Huangyan (331003), no value added: counted in totals, not in the intensity.
        {"emissions_tco2e": 50.0, "value_added_10k_cny": None, "area_mu": 5.0, "region_code": "331003"},
    )
    rollups = kit.rate(frame).rollups
    get = {(r["level"], r["code"]): r for r in rollups.iter_rows(named=True)}
    county = get[("county", "331003")]
    assert county["organisation_count"] == 2 and county["rated_count"] == 1 and county["not_rated_count"] == 1
    assert county["emissions_tco2e"] == pytest.approx(650.0)
    assert county["intensity_tco2e_per_10k_cny"] == pytest.approx(600 / 300)
    assert county["emissions_per_mu_tco2e"] == pytest.approx(650 / 35)
    assert county["grade_4_count"] == 1
    city = get[("prefecture", "331000")]
    province = get[("province", "330000")]
    for row in (city, province):
        assert row["organisation_count"] == 4
        assert row["emissions_tco2e"] == pytest.approx(1050.0)
        assert row["intensity_tco2e_per_10k_cny"] == pytest.approx(1000 / 800)
        assert (row["grade_1_count"], row["grade_2_count"], row["grade_4_count"]) == (1, 1, 1)
    division = get[("division", "C34")]
    assert division["value_added_10k_cny"] == pytest.approx(800.0)
    assert division["energy_tce"] == pytest.approx(4 * 40.0)
    assert get[("section", "C")]["organisation_count"] == 4
    assert set(rollups["dimension"]) == {"region", "industry"}


def test_firm_without_industry_is_rolled_up_under_an_empty_code(kit: SimpleNamespace) -> None:
    frame = kit.firms({}, {}, {}, {"industry_code": None, "emissions_tco2e": 7.0})
    rollups = kit.rate(frame).rollups.filter(pl.col("level") == "division")
    assert dict(rollups.select("code", "emissions_tco2e").iter_rows()) == pytest.approx(
        {"": 7.0, "C34": 300.0}
    )
