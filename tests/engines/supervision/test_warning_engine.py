"""Warning rules over small frames, each against a hand-computed example."""

from __future__ import annotations

import datetime as dt
import hashlib

import polars as pl
import pytest

from citycarbon.domain.supervision.warning_rules import WarningRule
from citycarbon.engines.supervision.ledger_rules import (
    COMPARISON_SCHEMA,
    evaluate_electricity_mismatch,
    evaluate_energy_output_divergence,
    evaluate_intensity_above_benchmark,
    evaluate_missing_report,
    evaluate_yoy_rise,
)
from citycarbon.engines.supervision.monitoring_rules import evaluate_limit_exceeded
from citycarbon.engines.supervision.warnings import SupervisionInputs, evaluate_rules, with_fingerprints

UTC = dt.UTC
LIMIT = WarningRule(
    "limit_exceeded", "1", "limit_exceeded", (("medium", 1.0), ("high", 1.5), ("critical", 3.0))
)
RISE = WarningRule("emissions_yoy_rise", "1", "emissions_yoy_rise", (("medium", 0.3), ("high", 0.6)))


def evidence(frame: pl.DataFrame, row: int = 0) -> dict[str, object]:
    return {
        e["name"]: e["value_number"] if e["value_number"] is not None else e["value_text"]
        for e in frame["evidence"][row]
    }


def readings(values: list[tuple[str, float]]) -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "outlet_id": [1] * len(values),
            "pollutant_code": ["so2"] * len(values),
            "measure": ["concentration"] * len(values),
            "observed_at": [dt.datetime.fromisoformat(t) for t, _ in values],
            "value": [v for _, v in values],
        },
        schema_overrides={"observed_at": pl.Datetime("us", "UTC"), "outlet_id": pl.Int64},
    )


LIMITS = pl.LazyFrame(
    {
        "outlet_id": [1],
        "pollutant_code": ["so2"],
        "measure": ["concentration"],
        "limit_value": [100.0],
        "unit": ["mg/m3"],
    },
    schema_overrides={"outlet_id": pl.Int64},
)
OUTLETS = pl.LazyFrame(
    {"outlet_id": [1], "organisation_id": [10], "site_id": [5], "expected_interval_s": [3600]},
    schema_overrides={"outlet_id": pl.Int64, "organisation_id": pl.Int64, "site_id": pl.Int64},
)


def test_exceedances_are_grouped_by_china_day_and_ranked_by_the_worst() -> None:
    frame = (
        evaluate_limit_exceeded(
            readings(
                [
                    ("2026-01-05T15:00:00+00:00", 120.0),  # 23:00 China time, 5 January
                    ("2026-01-05T15:30:00+00:00", 160.0),  # 23:30, same day: max 160 / 100 = 1.6 → high
                    ("2026-01-05T16:00:00+00:00", 110.0),  # 00:00 on 6 January: 1.1 → medium
                    ("2026-01-05T17:00:00+00:00", 100.0),  # at the limit: not over it
                ]
            ),
            LIMITS,
            OUTLETS,
            LIMIT,
        )
        .collect()
        .sort("window_start_at")
    )
    assert frame["severity"].to_list() == ["high", "medium"]
    assert frame["window_start_at"].to_list() == [
        dt.datetime(2026, 1, 4, 16, tzinfo=UTC),
        dt.datetime(2026, 1, 5, 16, tzinfo=UTC),
    ]
    first = evidence(frame)
    assert first["max_value"] == 160.0 and first["limit_value"] == 100.0
    assert first["exceedance_count"] == 2 and first["max_ratio"] == pytest.approx(1.6)
    assert frame["organisation_id"].to_list() == [10, 10]
    assert frame["fingerprint_key"][0] == "limit_exceeded|1|1|so2|concentration|2026-01-05"


def comparison(**columns: list[object]) -> pl.LazyFrame:
    base: dict[str, list[object]] = {
        "organisation_id": [1],
        "period_code": ["2024-Q4"],
        "previous_period_code": ["2023-Q4"],
        "emissions_tco2e": [130.0],
        "energy_tce": [50.0],
        "output_value_10k_cny": [1000.0],
        "emissions_previous_tco2e": [100.0],
        "energy_previous_tce": [40.0],
        "output_value_previous_10k_cny": [1000.0],
        "has_report": [True],
        "had_previous_report": [True],
    }
    return pl.LazyFrame(base | columns, schema=COMPARISON_SCHEMA)


@pytest.mark.parametrize(("current", "severity"), [(130.0, None), (131.0, "medium"), (170.0, "high")])
def test_year_on_year_rise(current: float, severity: str | None) -> None:
    frame = evaluate_yoy_rise(comparison(emissions_tco2e=[current]), RISE, energy=False).collect()
    if severity is None:  # +30 % exactly is not more than 30 %
        assert frame.height == 0
        return
    assert frame["severity"].to_list() == [severity]
    assert frame["measured"][0] == pytest.approx(current / 100.0 - 1)


def test_energy_growing_faster_than_output() -> None:
    rule = WarningRule(
        "energy_output_divergence", "1", "energy_output_divergence", (("medium", 0.2), ("high", 0.5))
    )
    # energy 40 → 50 tce (+25 %), output 1000 → 1000 (0 %): divergence 0.25 → medium
    frame = evaluate_energy_output_divergence(comparison(), rule).collect()
    assert frame["severity"].to_list() == ["medium"]
    assert evidence(frame)["energy_growth"] == pytest.approx(0.25)


def test_missing_report_only_for_those_who_reported_a_year_before() -> None:
    rule = WarningRule("missing_report", "1", "missing_report", (("medium", 0.0),))
    frame = evaluate_missing_report(
        comparison(
            organisation_id=[1, 2],
            period_code=["2024-Q4"] * 2,
            previous_period_code=["2023-Q4"] * 2,
            emissions_tco2e=[None, None],
            energy_tce=[None, None],
            output_value_10k_cny=[None, None],
            emissions_previous_tco2e=[100.0, None],
            energy_previous_tce=[40.0, None],
            output_value_previous_10k_cny=[1.0, None],
            has_report=[False, False],
            had_previous_report=[True, False],
        ),
        rule,
    ).collect()
    assert frame["organisation_id"].to_list() == [1]


def test_intensity_above_benchmark_uses_k() -> None:
    rule = WarningRule(
        "intensity_above_benchmark", "1", "intensity_above_benchmark", (("medium", 1.2), ("high", 2.0))
    )
    grades = pl.LazyFrame(
        {
            "organisation_id": [1, 2, 3],
            "period_code": ["2024"] * 3,
            "industry_code": ["C3011"] * 3,
            "intensity_tco2e_per_10k_cny": [1.3, 2.5, None],
            "benchmark_tco2e_per_10k_cny": [1.0, 1.0, 1.0],
            "k_industry": [1.3, 2.5, None],
        },
        schema_overrides={"organisation_id": pl.Int64},
    )
    frame = evaluate_intensity_above_benchmark(grades, rule).collect()
    assert dict(zip(frame["organisation_id"], frame["severity"], strict=True)) == {1: "medium", 2: "high"}


def test_electricity_mismatch_against_the_grid_company() -> None:
    rule = WarningRule("electricity_mismatch", "1", "electricity_mismatch", (("medium", 0.1), ("high", 0.3)))
    frame = (
        evaluate_electricity_mismatch(
            pl.LazyFrame(
                {
                    "organisation_id": [1, 2, 3],
                    "period_code": ["2024-10"] * 3,
                    "source_name": ["grid"] * 3,
                    "metered_mwh": [100.0, 100.0, 100.0],
                    "reported_mwh": [95.0, 80.0, None],
                },
                schema_overrides={"organisation_id": pl.Int64},
            ),
            rule,
        )
        .collect()
        .sort("organisation_id")
    )
    # |95 − 100| / 100 = 0.05 (none); |80 − 100| / 100 = 0.2 (medium); nothing reported = 1.0 (high)
    assert frame["organisation_id"].to_list() == [2, 3]
    assert frame["severity"].to_list() == ["medium", "high"]
    assert frame["measured"].to_list() == pytest.approx([0.2, 1.0])


def test_the_whole_rule_set_and_fingerprints() -> None:
    data = readings([("2026-01-05T02:00:00+00:00", 400.0)])
    inputs = SupervisionInputs(
        data,
        LIMITS,
        OUTLETS,
        dt.datetime(2026, 1, 5, tzinfo=UTC),
        dt.datetime(2026, 1, 5, 4, tzinfo=UTC),
        comparison(),
    )
    gap = WarningRule("data_gap", "1", "data_gap", (("low", 3.0),))
    results = evaluate_rules((LIMIT, RISE, gap), inputs)
    assert results["limit_exceeded"]["severity"].to_list() == ["critical"]  # 400 / 100 = 4 > 3
    assert results["emissions_yoy_rise"]["severity"].to_list() == []  # 30 % exactly
    # window 00:00–04:00, one reading at 02:00: 00:00 and 01:00 missing before, 03:00 and 04:00 after
    assert results["data_gap"].height == 0
    hashed = with_fingerprints(results["limit_exceeded"])
    assert hashed["fingerprint"][0] == hashlib.sha256(hashed["fingerprint_key"][0].encode()).hexdigest()
