"""Benchmarks: methods, class → group → division fallback, minimum peers, official tables."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from citycarbon.domain.efficiency.settings import BenchmarkSettings

# Three firms of class C3411 with emissions 100, 300, 600 t and value added 200, 300, 300 (10^4 CNY):
# L = 0.5, 1.0, 2.0.
THREE = (
    {"emissions_tco2e": 100.0, "value_added_10k_cny": 200.0},
    {"emissions_tco2e": 300.0, "value_added_10k_cny": 300.0},
    {"emissions_tco2e": 600.0, "value_added_10k_cny": 300.0},
)


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("total_ratio", (100 + 300 + 600) / (200 + 300 + 300)),  # 1.25
        ("emissions_weighted_mean", (100 * 0.5 + 300 * 1.0 + 600 * 2.0) / 1000),  # 1.55
        ("median", 1.0),
    ],
)
def test_benchmark_methods(kit: SimpleNamespace, method: str, expected: float) -> None:
    result = kit.rate(kit.firms(*THREE), settings=BenchmarkSettings(min_peers=3, method=method))
    rows = {r["organisation_id"]: r for r in result.grades.iter_rows(named=True)}
    assert rows[1]["benchmark_tco2e_per_10k_cny"] == pytest.approx(expected)
    assert rows[1]["benchmark_level"] == "class" and rows[1]["benchmark_industry_code"] == "C3411"
    assert rows[3]["k_industry"] == pytest.approx(2.0 / expected)


def test_class_with_too_few_peers_falls_back_to_group_then_division(kit: SimpleNamespace) -> None:
    frame = kit.firms(
        # C3411 has 2 firms; group C341 has them plus one C3412 firm = 3: the group is used.
        {"industry_code": "C3411", "emissions_tco2e": 100.0},
        {"industry_code": "C3411", "emissions_tco2e": 200.0},
        {"industry_code": "C3412", "emissions_tco2e": 300.0},
        # C3421 alone in its group C342; division C34 has all 4 firms: the division is used.
        {"industry_code": "C3421", "emissions_tco2e": 400.0},
        # C2611 alone in its whole division: too few peers anywhere.
        {"industry_code": "C2611", "emissions_tco2e": 50.0},
    )
    rows = kit.by_id(kit.rate(frame).grades)
    assert (rows[1]["benchmark_level"], rows[1]["benchmark_industry_code"]) == ("group", "C341")
    assert rows[1]["benchmark_tco2e_per_10k_cny"] == pytest.approx(600 / 300)
    assert rows[1]["benchmark_peer_count"] == 3
    assert (rows[4]["benchmark_level"], rows[4]["benchmark_industry_code"]) == ("division", "C34")
    assert rows[4]["benchmark_tco2e_per_10k_cny"] == pytest.approx(1000 / 400)
    assert rows[4]["k_industry"] == pytest.approx((400 / 100) / (1000 / 400))
    assert rows[5]["not_rated_reason"] == "too_few_peers" and rows[5]["grade"] is None


def test_minimum_peer_count_is_a_setting(kit: SimpleNamespace) -> None:
    strict = kit.by_id(kit.rate(kit.firms(*THREE), settings=BenchmarkSettings(min_peers=4)).grades)
    assert {row["not_rated_reason"] for row in strict.values()} == {"too_few_peers"}
    loose = kit.by_id(kit.rate(kit.firms(*THREE), settings=BenchmarkSettings(min_peers=1)).grades)
    assert all(row["grade"] is not None for row in loose.values())


def test_benchmark_level_setting_starts_at_division(kit: SimpleNamespace) -> None:
    frame = kit.firms(*THREE, {"industry_code": "C3421", "emissions_tco2e": 400.0})
    result = kit.rate(frame, settings=BenchmarkSettings(level="division", min_peers=3))
    rows = kit.by_id(result.grades)
    assert rows[1]["benchmark_industry_code"] == "C34"
    assert rows[1]["benchmark_tco2e_per_10k_cny"] == pytest.approx(1400 / 900)
    assert set(result.benchmarks["industry_level"]) == {"division"}


def test_official_benchmark_replaces_the_computed_one(kit: SimpleNamespace) -> None:
    official = pl.DataFrame(
        {"industry_code": ["C3411"], "intensity_tco2e_per_10k_cny": [0.8], "source": ["经信局 2024"]}
    )
    result = kit.rate(kit.firms(*THREE), official=official)
    rows = kit.by_id(result.grades)
    assert rows[2]["benchmark_method"] == "official"
    assert rows[2]["k_industry"] == pytest.approx(1.0 / 0.8)
    class_rows = result.benchmarks.filter(industry_level="class")
    assert class_rows.height == 1 and class_rows["source"][0] == "经信局 2024"


def test_periods_are_benchmarked_separately(kit: SimpleNamespace) -> None:
    later = [{**row, "period": "2023", "emissions_tco2e": 2 * float(row["emissions_tco2e"])} for row in THREE]
    result = kit.rate(kit.firms(*THREE, *later))
    values = dict(
        result.benchmarks.filter(industry_level="class")
        .select("period", "intensity_tco2e_per_10k_cny")
        .iter_rows()
    )
    assert values == pytest.approx({"2024": 1.25, "2023": 2.5})
