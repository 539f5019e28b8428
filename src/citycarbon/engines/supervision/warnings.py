"""Run a whole rule set over prepared frames: one lazy plan per rule, collected together.

The inputs are plain Arrow-compatible frames (from the store, from Parquet files or from DuckDB),
so the benchmark and the platform run the very same code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import duckdb
import polars as pl

from citycarbon.domain.supervision.warning_rules import WarningRule
from citycarbon.engines.supervision.gaps import detect_gaps
from citycarbon.engines.supervision.ledger_rules import (
    COMPARISON_SCHEMA,
    evaluate_electricity_mismatch,
    evaluate_energy_output_divergence,
    evaluate_intensity_above_benchmark,
    evaluate_missing_report,
    evaluate_yoy_rise,
)
from citycarbon.engines.supervision.monitoring_rules import evaluate_data_gaps, evaluate_limit_exceeded
from citycarbon.engines.supervision.warning_frame import WARNING_SCHEMA


@dataclass(frozen=True)
class SupervisionInputs:
    """Everything the rules read, as lazy frames (empty frames switch a rule's data off).

    Parameters
    ----------
    readings
        Current readings in the window (see :func:`evaluate_limit_exceeded`).
    limits, outlets
        Outlet limits; outlets with ``organisation_id``, ``site_id``, ``expected_interval_s``.
    window_start_at, as_of
        Monitoring window; gaps are looked for up to ``as_of``.
    comparison
        Period comparison frame (``COMPARISON_SCHEMA``).
    grades
        Current efficiency grades of the period.
    electricity
        Reported vs metered electricity per organisation and month.
    gap_times
        Extra observation times (the last reading before the window) for gap detection.

    """

    readings: pl.LazyFrame
    limits: pl.LazyFrame
    outlets: pl.LazyFrame
    window_start_at: dt.datetime
    as_of: dt.datetime
    comparison: pl.LazyFrame = field(default_factory=lambda: pl.LazyFrame(schema=COMPARISON_SCHEMA))
    grades: pl.LazyFrame | None = None
    electricity: pl.LazyFrame | None = None
    gap_times: pl.LazyFrame | None = None


def _plan(rule: WarningRule, inputs: SupervisionInputs) -> pl.LazyFrame | None:
    kind = rule.kind
    if kind == "limit_exceeded":
        return evaluate_limit_exceeded(inputs.readings, inputs.limits, inputs.outlets, rule)
    if kind == "data_gap":
        times = inputs.readings.select("outlet_id", "observed_at")
        if inputs.gap_times is not None:
            times = pl.concat([times, inputs.gap_times.select("outlet_id", "observed_at")])
        outlets = inputs.outlets.select("outlet_id", "expected_interval_s")
        gaps = detect_gaps(times, outlets, inputs.window_start_at, inputs.as_of, int(rule.lowest_threshold))
        return evaluate_data_gaps(gaps, inputs.outlets, rule)
    if kind in ("emissions_yoy_rise", "energy_yoy_rise"):
        return evaluate_yoy_rise(inputs.comparison, rule, energy=kind == "energy_yoy_rise")
    if kind == "missing_report":
        return evaluate_missing_report(inputs.comparison, rule)
    if kind == "energy_output_divergence":
        return evaluate_energy_output_divergence(inputs.comparison, rule)
    if kind == "intensity_above_benchmark" and inputs.grades is not None:
        return evaluate_intensity_above_benchmark(inputs.grades, rule)
    if kind == "electricity_mismatch" and inputs.electricity is not None:
        return evaluate_electricity_mismatch(inputs.electricity, rule)
    return None


def evaluate_rules(rules: tuple[WarningRule, ...], inputs: SupervisionInputs) -> dict[str, pl.DataFrame]:
    """Evaluate every rule; return its warnings (``WARNING_SCHEMA``) by rule id.

    Plans are collected together so Polars can share the scans of the readings between the
    limit and gap rules and run them on all cores.
    """
    plans = {rule.rule_id: plan for rule in rules if (plan := _plan(rule, inputs)) is not None}
    frames = pl.collect_all(list(plans.values()))
    return dict(zip(plans, frames, strict=True))


def with_fingerprints(warnings: pl.DataFrame) -> pl.DataFrame:
    """Add ``fingerprint`` = SHA-256 (hex) of ``fingerprint_key``, computed by DuckDB in one pass."""
    if warnings.height == 0:
        return warnings.with_columns(pl.lit(None, pl.String).alias("fingerprint"))
    keys = warnings.select("fingerprint_key")  # noqa: F841 - read by DuckDB's replacement scan
    relation = duckdb.sql("SELECT sha256(fingerprint_key) AS fingerprint FROM keys")
    assert relation is not None  # a SELECT always yields a relation
    hashed = relation.pl()
    return warnings.with_columns(hashed["fingerprint"])


def all_warnings(results: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Concatenate per-rule results into one frame of ``WARNING_SCHEMA``."""
    frames = [frame for frame in results.values() if frame.height]
    return pl.concat(frames) if frames else pl.DataFrame(schema=WARNING_SCHEMA)
