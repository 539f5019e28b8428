"""Warning rules over monitoring data: limits exceeded and data gaps (断传).

Readings can number tens of millions, so both rules are lazy Polars plans that filter before
they group: only readings above a limit reach the per-day aggregation.
"""

from __future__ import annotations

import polars as pl

from citycarbon.domain.supervision.warning_rules import WarningRule
from citycarbon.engines.supervision.warning_frame import UTC_US, above, finish, number, text

#: China Standard Time offset: an exceedance day is a local calendar day.
_CST = pl.duration(hours=8)


def evaluate_limit_exceeded(
    readings: pl.LazyFrame, limits: pl.LazyFrame, outlets: pl.LazyFrame, rule: WarningRule
) -> pl.LazyFrame:
    """One warning per outlet, pollutant, measure and China-time day with a reading over its limit.

    Parameters
    ----------
    readings
        ``outlet_id``, ``pollutant_code``, ``measure``, ``observed_at`` (UTC), ``value`` in the
        measure's canonical unit (current readings only).
    limits
        ``outlet_id``, ``pollutant_code``, ``measure``, ``limit_value``, ``unit`` (same canonical
        unit as the readings).
    outlets
        ``outlet_id``, ``organisation_id``, ``site_id``.
    rule
        A ``limit_exceeded`` rule; ``measured`` is the day's highest reading / limit.

    """
    ratio = pl.col("value") / pl.col("limit_value")
    over = (
        readings.select("outlet_id", "pollutant_code", "measure", "observed_at", "value")
        .join(
            limits.select("outlet_id", "pollutant_code", "measure", "limit_value", "unit"),
            on=["outlet_id", "pollutant_code", "measure"],
        )
        .filter(above(ratio, rule.lowest_threshold))
        .with_columns(
            ((pl.col("observed_at").cast(UTC_US) + _CST).dt.truncate("1d") - _CST).alias("day_start_at")
        )
        .group_by("outlet_id", "pollutant_code", "measure", "day_start_at")
        .agg(
            pl.col("value").max().alias("max_value"),
            pl.len().alias("exceedance_count"),
            pl.col("observed_at").min().alias("first_at"),
            pl.col("limit_value").first(),
            pl.col("unit").first(),
        )
        .join(outlets.select("outlet_id", "organisation_id", "site_id"), on="outlet_id")
    )
    measured = pl.col("max_value") / pl.col("limit_value")
    return finish(
        over,
        rule,
        measured,
        subject=[
            pl.col("outlet_id"),
            pl.col("pollutant_code"),
            pl.col("measure"),
            (pl.col("day_start_at") + _CST).dt.date(),
        ],
        evidence=[
            number("max_value", pl.col("max_value")),
            number("limit_value", pl.col("limit_value")),
            text("unit", pl.col("unit")),
            number("max_ratio", measured),
            number("exceedance_count", pl.col("exceedance_count")),
            text("first_exceeded_at", pl.col("first_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ")),
        ],
        columns={
            "organisation_id": pl.col("organisation_id"),
            "site_id": pl.col("site_id"),
            "outlet_id": pl.col("outlet_id"),
            "pollutant_code": pl.col("pollutant_code"),
            "window_start_at": pl.col("day_start_at"),
            "window_end_at": pl.col("day_start_at") + pl.duration(days=1),
        },
    )


def evaluate_data_gaps(gaps: pl.LazyFrame, outlets: pl.LazyFrame, rule: WarningRule) -> pl.LazyFrame:
    """One warning per gap longer than the rule's lowest threshold (``measured`` = missing intervals).

    Parameters
    ----------
    gaps
        Output of :func:`citycarbon.engines.supervision.gaps.detect_gaps`.
    outlets
        ``outlet_id``, ``organisation_id``, ``site_id``.
    rule
        A ``data_gap`` rule.

    """
    frame = gaps.join(outlets.select("outlet_id", "organisation_id", "site_id"), on="outlet_id")
    measured = pl.col("missing_intervals").cast(pl.Float64)
    return finish(
        frame,
        rule,
        measured,
        subject=[pl.col("outlet_id"), pl.col("started_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ")],
        evidence=[
            number("missing_intervals", pl.col("missing_intervals")),
            number("expected_interval_s", pl.col("expected_interval_s"), "s"),
            text("started_at", pl.col("started_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ")),
            text("ended_at", pl.col("ended_at").dt.to_string("%Y-%m-%dT%H:%M:%SZ").fill_null("open")),
        ],
        columns={
            "organisation_id": pl.col("organisation_id"),
            "site_id": pl.col("site_id"),
            "outlet_id": pl.col("outlet_id"),
            "window_start_at": pl.col("started_at"),
            "window_end_at": pl.col("ended_at"),
        },
    )
