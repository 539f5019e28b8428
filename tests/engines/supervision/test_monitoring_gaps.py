"""Data-gap detection against hand-counted examples."""

from __future__ import annotations

import datetime as dt

import polars as pl

from citycarbon.engines.supervision.gaps import detect_gaps

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def hours(*offsets: int, outlet: int = 1) -> pl.LazyFrame:
    return pl.LazyFrame(
        {"outlet_id": [outlet] * len(offsets), "observed_at": [T0 + dt.timedelta(hours=h) for h in offsets]},
        schema={"outlet_id": pl.Int64, "observed_at": pl.Datetime("us", "UTC")},
    )


def outlets(*ids: int, interval_s: int = 3600) -> pl.LazyFrame:
    return pl.LazyFrame({"outlet_id": list(ids), "expected_interval_s": [interval_s] * len(ids)})


def test_a_silence_inside_the_window() -> None:
    # Readings at 0..3 h and 9..11 h: 4, 5, 6, 7, 8 h are missing, 5 > 3 → one closed gap.
    found = detect_gaps(
        hours(0, 1, 2, 3, 9, 10, 11), outlets(1), T0, T0 + dt.timedelta(hours=12), 3
    ).collect()
    assert found.rows() == [(1, T0 + dt.timedelta(hours=3), T0 + dt.timedelta(hours=9), 5, 3600)]


def test_three_missing_is_not_more_than_three() -> None:
    found = detect_gaps(hours(0, 4, 5), outlets(1), T0, T0 + dt.timedelta(hours=6), 3).collect()
    assert found.height == 0


def test_duplicates_and_order_do_not_matter() -> None:
    shuffled = hours(10, 0, 3, 3, 2, 1, 9, 11)
    found = detect_gaps(shuffled, outlets(1), T0, T0 + dt.timedelta(hours=12), 3).collect()
    assert found["missing_intervals"].to_list() == [5]


def test_an_outlet_that_stopped_has_an_open_gap() -> None:
    # Last reading at 2 h, now 10 h: 3..10 h were due (8 readings), the gap is still open.
    found = detect_gaps(hours(0, 1, 2), outlets(1), T0, T0 + dt.timedelta(hours=10), 3).collect()
    assert found.rows() == [(1, T0 + dt.timedelta(hours=2), None, 8, 3600)]


def test_an_outlet_that_never_reported_is_silent_for_the_whole_window() -> None:
    # Due at 0, 1, … 24 h: 25 readings over one day of hourly data.
    found = detect_gaps(hours(0, 1, outlet=1), outlets(1, 2), T0, T0 + dt.timedelta(hours=24), 3).collect()
    assert found.filter(pl.col("outlet_id") == 2).rows() == [(2, T0, None, 25, 3600)]


def test_a_reading_before_the_window_keeps_the_gap_start() -> None:
    before = T0 - dt.timedelta(hours=5)
    times = pl.concat(
        [
            hours(3, 4),
            pl.LazyFrame(
                {"outlet_id": [1], "observed_at": [before]},
                schema={"outlet_id": pl.Int64, "observed_at": pl.Datetime("us", "UTC")},
            ),
        ]
    )
    found = detect_gaps(times, outlets(1), T0, T0 + dt.timedelta(hours=5), 3).collect()
    # −5 h to +3 h: −4 … +2 h missing, 7 readings.
    assert found.rows() == [(1, before, T0 + dt.timedelta(hours=3), 7, 3600)]
