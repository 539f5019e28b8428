"""Warning rules over ledger data: benchmarks, year-on-year rises, missing reports, mismatches.

Cross-source mismatches compare reported with metered electricity, and energy with output growth.

The service prepares one *period comparison* frame per evaluation (each organisation's figures
for the period and for the same period a year earlier), so every rule here is a column
expression over it, with no Python loop over organisations.
"""

from __future__ import annotations

import polars as pl

from citycarbon.domain.supervision.warning_rules import WarningRule
from citycarbon.engines.supervision.warning_frame import finish, number, text

#: Columns of the period comparison frame.
COMPARISON_SCHEMA: dict[str, pl.DataType] = {
    "organisation_id": pl.Int64(),
    "period_code": pl.String(),
    "previous_period_code": pl.String(),
    "emissions_tco2e": pl.Float64(),
    "energy_tce": pl.Float64(),
    "output_value_10k_cny": pl.Float64(),
    "emissions_previous_tco2e": pl.Float64(),
    "energy_previous_tce": pl.Float64(),
    "output_value_previous_10k_cny": pl.Float64(),
    "has_report": pl.Boolean(),
    "had_previous_report": pl.Boolean(),
}


def _growth(current: str, previous: str) -> pl.Expr:
    """Relative change; null when the earlier value is missing or not positive."""
    return pl.when(pl.col(previous) > 0).then(pl.col(current) / pl.col(previous) - 1.0)


def _period_columns() -> dict[str, pl.Expr]:
    return {"organisation_id": pl.col("organisation_id"), "period_code": pl.col("period_code")}


def evaluate_yoy_rise(comparison: pl.LazyFrame, rule: WarningRule, *, energy: bool) -> pl.LazyFrame:
    """Emissions (or energy) up on the same period a year earlier by more than the thresholds.

    ``measured`` = current / previous − 1, for organisations that reported both periods.
    """
    current, previous, unit = (
        ("energy_tce", "energy_previous_tce", "tce")
        if energy
        else ("emissions_tco2e", "emissions_previous_tco2e", "tCO2e")
    )
    measured = _growth(current, previous)
    return finish(
        comparison.filter(pl.col("has_report") & pl.col("had_previous_report")),
        rule,
        measured,
        subject=[pl.col("organisation_id"), pl.col("period_code")],
        evidence=[
            number(current, pl.col(current), unit),
            number(previous, pl.col(previous), unit),
            number("growth", measured),
            text("previous_period_code", pl.col("previous_period_code")),
        ],
        columns=_period_columns(),
    )


def evaluate_missing_report(comparison: pl.LazyFrame, rule: WarningRule) -> pl.LazyFrame:
    """Organisations that reported the same period a year earlier but have no report now."""
    measured = pl.lit(1.0)
    return finish(
        comparison.filter(~pl.col("has_report") & pl.col("had_previous_report")),
        rule,
        measured,
        subject=[pl.col("organisation_id"), pl.col("period_code")],
        evidence=[
            text("previous_period_code", pl.col("previous_period_code")),
            number("emissions_previous_tco2e", pl.col("emissions_previous_tco2e"), "tCO2e"),
        ],
        columns=_period_columns(),
    )


def evaluate_energy_output_divergence(comparison: pl.LazyFrame, rule: WarningRule) -> pl.LazyFrame:
    """Energy growing faster than output value: ``measured`` = energy growth − output growth.

    A firm whose energy use rises while its output does not either produces less efficiently
    or under-reports its output; both are worth an inspection.
    """
    energy_growth = _growth("energy_tce", "energy_previous_tce")
    output_growth = _growth("output_value_10k_cny", "output_value_previous_10k_cny")
    measured = energy_growth - output_growth
    return finish(
        comparison.filter(pl.col("has_report") & pl.col("had_previous_report")),
        rule,
        measured,
        subject=[pl.col("organisation_id"), pl.col("period_code")],
        evidence=[
            number("energy_growth", energy_growth),
            number("output_growth", output_growth),
            number("energy_tce", pl.col("energy_tce"), "tce"),
            number("energy_previous_tce", pl.col("energy_previous_tce"), "tce"),
            number("output_value_10k_cny", pl.col("output_value_10k_cny"), "10k CNY"),
            number("output_value_previous_10k_cny", pl.col("output_value_previous_10k_cny"), "10k CNY"),
        ],
        columns=_period_columns(),
    )


def evaluate_intensity_above_benchmark(grades: pl.LazyFrame, rule: WarningRule) -> pl.LazyFrame:
    """Carbon intensity above the industry benchmark of the rating (``measured`` = K = intensity / benchmark).

    Parameters
    ----------
    grades
        ``organisation_id``, ``period_code``, ``industry_code``, ``intensity_tco2e_per_10k_cny``,
        ``benchmark_tco2e_per_10k_cny``, ``k_industry`` (current grade rows).
    rule
        An ``intensity_above_benchmark`` rule.

    """
    measured = pl.col("k_industry")
    return finish(
        grades.filter(measured.is_not_null()),
        rule,
        measured,
        subject=[pl.col("organisation_id"), pl.col("period_code")],
        evidence=[
            number("intensity_tco2e_per_10k_cny", pl.col("intensity_tco2e_per_10k_cny"), "tCO2e/10k CNY"),
            number("benchmark_tco2e_per_10k_cny", pl.col("benchmark_tco2e_per_10k_cny"), "tCO2e/10k CNY"),
            number("k_industry", measured),
            text("industry_code", pl.col("industry_code")),
        ],
        columns=_period_columns(),
    )


def evaluate_electricity_mismatch(electricity: pl.LazyFrame, rule: WarningRule) -> pl.LazyFrame:
    """Reported electricity differing from the grid company's meter in a month.

    ``measured`` = |reported − metered| / metered.

    Parameters
    ----------
    electricity
        ``organisation_id``, ``period_code`` (month), ``reported_mwh`` (null when nothing was
        reported), ``metered_mwh`` and ``source_name`` of the meter data.
    rule
        An ``electricity_mismatch`` rule.

    """
    frame = electricity.filter(pl.col("metered_mwh") > 0).with_columns(pl.col("reported_mwh").fill_null(0.0))
    measured = (pl.col("reported_mwh") - pl.col("metered_mwh")).abs() / pl.col("metered_mwh")
    return finish(
        frame,
        rule,
        measured,
        subject=[pl.col("organisation_id"), pl.col("period_code"), pl.col("source_name")],
        evidence=[
            number("reported_mwh", pl.col("reported_mwh"), "MWh"),
            number("metered_mwh", pl.col("metered_mwh"), "MWh"),
            number("difference_share", measured),
            text("source_name", pl.col("source_name")),
        ],
        columns=_period_columns(),
    )
