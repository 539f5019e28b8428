"""Relative metrics of the Quzhou scheme: K against the region, and intensity year on year.

``k_region`` compares a firm's intensity with its prefecture's (all peers' emissions ÷ their
value added); ``intensity_change`` with its own intensity a year earlier. Both are lookups of
a figure computed elsewhere, so both are gathers by position, never joins of the wide frame.

References
----------
Quzhou 三维四色 (regional contribution, historical decline).

"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from citycarbon.domain.efficiency.settings import year_earlier
from citycarbon.engines.efficiency.codes import Coding

#: A dense id → value table is used while it has at most this many slots per firm-period.
DENSE_SLOTS_PER_ROW = 4


def earlier_positions(coding: Coding) -> dict[int, int | None]:
    """Index of each rated period → index of the period a year earlier, if it is rated too."""
    periods = coding.dtype("period").categories.to_list()
    earlier = [year_earlier(code) for code in periods]
    return {number: periods.index(code) if code in periods else None for number, code in enumerate(earlier)}


def shift_period(mapping: Mapping[int, int | None], count: int) -> pl.Expr:
    """``mapping`` applied to each row's period index (a gather from a tiny series; null if unmapped)."""
    table = pl.Series([mapping.get(number) for number in range(count)], dtype=pl.Int64)
    return pl.lit(table).gather(pl.col("period").to_physical())


def later_positions(coding: Coding) -> dict[int, int | None]:
    """Index of each rated period → index of the period a year later, if it is rated too."""
    earlier = earlier_positions(coding)
    return {before: number for number, before in earlier.items() if before is not None}


def other_period(
    frame: pl.DataFrame,
    value: pl.Expr,
    mapping: Mapping[int, int | None],
    coding: Coding,
    capacity: int | None = None,
) -> pl.Series:
    """Each row's organisation's ``value`` in the period ``mapping`` gives (null if it has no row).

    ``value`` may be null on rows that should not be found. Organisation ids are database ids,
    nearly contiguous; then every (id, period) gets a slot in a dense array, filled by position
    and read by position, which is several times faster than a hash join on millions of rows.
    Sparse ids fall back to a join on one Int64 key. ``capacity`` (default: the frame's height)
    is the number of rows the dense array may be sized against.
    """
    name = "_value"
    ids = frame["organisation_id"].drop_nulls()
    if ids.is_empty():
        dtype = frame.lazy().select(value).collect_schema().dtypes()[0]
        return pl.Series(name, [None] * frame.height, dtype=dtype)
    low, high = int(ids.min()), int(ids.max())  # type: ignore[arg-type]
    count = len(coding.periods) - 1
    slot = (pl.col("organisation_id") - low) * count
    own = (
        frame.lazy()
        .select((slot + pl.col("period").to_physical().cast(pl.Int64)).alias("_key"), value.alias(name))
        .filter(pl.col(name).is_not_null(), pl.col("_key").is_not_null())
        .collect()
    )
    other = slot + shift_period(mapping, count)
    size = (high - low + 1) * count
    if size <= DENSE_SLOTS_PER_ROW * (capacity or frame.height):
        dense = pl.Series(name, [None], dtype=own[name].dtype).extend_constant(None, size - 1)
        dense.scatter(own["_key"], own[name])
        return frame.lazy().select(pl.lit(dense).gather(other).alias(name)).collect().to_series()
    found = (
        frame.lazy()
        .select(other.alias("_key"))
        .join(own.lazy(), on="_key", how="left", maintain_order="left")
    )
    return found.collect()[name]


def earlier_intensity(frame: pl.DataFrame, coding: Coding) -> pl.Series:
    """Each row's organisation's intensity a year earlier (null when not rated or not positive)."""
    intensity = pl.col("intensity_tco2e_per_10k_cny")
    earlier = other_period(frame, pl.when(intensity > 0).then(intensity), earlier_positions(coding), coding)
    return earlier.alias("_earlier_intensity")


def add_relative_metrics(frame: pl.LazyFrame, region_totals: pl.DataFrame, coding: Coding) -> pl.LazyFrame:
    """Add ``k_region`` (L ÷ the prefecture's L of all peers) and ``intensity_change`` (year on year).

    ``region_totals`` are the cell sums per period and ``region_code``; the prefecture's
    figure is summed from them and gathered onto the firms by position. Firms without a
    prefecture are compared with each other, as a window over a null key would.
    ``intensity_change`` divides by ``_earlier_intensity`` (see :func:`earlier_intensity`),
    so it needs the earlier period in the same frame (the services rate it alongside).
    """
    by_region = coding.grid("region_code").gather(coding.region_levels, ["prefecture_code"])
    emissions, value_added = pl.col("peer_emissions_tco2e"), pl.col("peer_value_added_10k_cny")
    regional = (
        region_totals.with_columns(by_region)
        .group_by("period", "prefecture_code")
        .agg(emissions.sum(), value_added.sum())
        .select(
            "period",
            "prefecture_code",
            pl.when(value_added > 0).then(emissions / value_added).alias("_regional"),
        )
    )
    grid = coding.grid("period", "region_code")
    dense = (
        grid.frame()
        .with_columns(by_region)
        .join(regional, on=["period", "prefecture_code"], how="left", maintain_order="left", nulls_equal=True)
    )
    peer = pl.col("is_benchmark_peer")
    intensity, ratio = pl.col("intensity_tco2e_per_10k_cny"), pl.col("_regional")
    return (
        frame.with_columns(grid.gather(dense, ["_regional"]))
        .with_columns(
            pl.when(peer & (ratio > 0)).then(intensity / ratio).alias("k_region"),
            pl.when(peer).then(intensity / pl.col("_earlier_intensity")).alias("intensity_change"),
        )
        .drop("_earlier_intensity", "_regional")
    )
