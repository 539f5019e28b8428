"""Data-gap (断传) detection: outlets silent for more than N expected reporting intervals.

For each outlet the distinct observation times (any pollutant) are sorted and each is paired
with the next; the silence between them, in expected intervals, gives the readings that should
have arrived and did not::

    missing_intervals = floor((next_at - previous_at) / interval) - 1

The window's edges count as if a reading had arrived there, so an outlet silent since the
start of the window (with no reading before it) or until ``as_of`` has a gap too; such a gap
stays open (``ended_at`` null). A gap is reported when ``missing_intervals > threshold``.

References
----------
HJ 212-2017 数据传输标准 and HJ 75-2017: hourly data of continuous monitoring.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

UTC_US = pl.Datetime("us", "UTC")
GAP_SCHEMA = {
    "outlet_id": pl.Int64,
    "started_at": UTC_US,
    "ended_at": UTC_US,
    "missing_intervals": pl.Int64,
    "expected_interval_s": pl.Int64,
}


def detect_gaps(
    times: pl.LazyFrame,
    outlets: pl.LazyFrame,
    start_at: dt.datetime,
    as_of: dt.datetime,
    threshold_intervals: int,
) -> pl.LazyFrame:
    """Return the gaps of every outlet between ``start_at`` and ``as_of``.

    Parameters
    ----------
    times
        ``outlet_id`` (Int64) and ``observed_at`` (UTC) of current readings in the window;
        the last reading before ``start_at`` may be included so a gap spanning the start keeps
        its true beginning. Duplicates are allowed.
    outlets
        ``outlet_id`` and ``expected_interval_s`` [s] of every outlet that should report.
    start_at, as_of
        Window bounds (UTC); ``as_of`` is the end of the window or now, whichever is earlier.
    threshold_intervals
        Report a gap when more than this many expected readings are missing.

    Returns
    -------
    polars.LazyFrame
        ``GAP_SCHEMA``: one row per gap, ``ended_at`` null while the gap is still open.

    """
    expected = outlets.select(
        pl.col("outlet_id").cast(pl.Int64), pl.col("expected_interval_s").cast(pl.Int64)
    )
    observed = (
        times.select(pl.col("outlet_id").cast(pl.Int64), pl.col("observed_at").cast(UTC_US))
        .join(expected.select("outlet_id"), on="outlet_id", how="semi")
        .unique()
        .with_columns(pl.lit(False).alias("is_edge"))
    )
    has_earlier = observed.filter(pl.col("observed_at") <= start_at).select("outlet_id").unique()
    head = (
        expected.select("outlet_id")
        .join(has_earlier, on="outlet_id", how="anti")
        .with_columns(pl.lit(start_at).cast(UTC_US).alias("observed_at"), pl.lit(True).alias("is_edge"))
    )
    tail = expected.select(
        "outlet_id", pl.lit(as_of).cast(UTC_US).alias("observed_at"), pl.lit(True).alias("is_edge")
    )
    points = pl.concat([observed, head, tail], how="vertical").sort("outlet_id", "observed_at")
    paired = points.with_columns(
        pl.col("observed_at").shift(-1).over("outlet_id").alias("next_at"),
        pl.col("is_edge").shift(-1).over("outlet_id").alias("next_is_edge"),
    ).join(expected, on="outlet_id")
    silence_s = (pl.col("next_at") - pl.col("observed_at")).dt.total_seconds()
    # An edge is not a reading: the edge at the start itself was due, and so is as_of.
    missing = (
        (silence_s // pl.col("expected_interval_s"))
        - 1
        + pl.col("is_edge").cast(pl.Int64)
        + pl.col("next_is_edge").cast(pl.Int64)
    )
    return (
        paired.filter(pl.col("next_at").is_not_null())
        .with_columns(missing.cast(pl.Int64).alias("missing_intervals"))
        .filter(pl.col("missing_intervals") > threshold_intervals)
        .select(
            "outlet_id",
            pl.col("observed_at").alias("started_at"),
            pl.when(pl.col("next_is_edge"))
            .then(None)
            .otherwise(pl.col("next_at"))
            .cast(UTC_US)
            .alias("ended_at"),
            "missing_intervals",
            "expected_interval_s",
        )
    )
