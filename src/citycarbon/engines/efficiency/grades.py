"""Grades, levels and colours from a grading scheme, and rankings within industry and region.

Bands become one ``when/then`` chain per dimension, so grading a million firms is a single
pass. K is banded after rounding to 1e-9: a K of exactly 0.6 computed as 0.6000000000000001
must land in band 1, as the method's "K ≤ 0.6" says, not in band 2.

References
----------
《规上工业企业碳效等级评价方法》 (K bands and absolute levels); Quzhou 三维四色.

"""

from __future__ import annotations

import polars as pl
import polars.selectors as cs

from citycarbon.domain.efficiency.schemes import Dimension, GradingScheme
from citycarbon.domain.efficiency.settings import year_earlier
from citycarbon.engines.efficiency.codes import attach

BAND_ROUNDING = 9
#: Frame column holding each scheme metric.
METRIC_COLUMNS = {
    "k_industry": "k_industry",
    "intensity_value_added": "intensity_tco2e_per_10k_cny",
    "k_region": "k_region",
    "intensity_change": "intensity_change",
}


def earlier_period_code(period: pl.Expr) -> pl.Expr:
    """Vectorised :func:`citycarbon.domain.efficiency.settings.year_earlier` (``2024-Q1`` → ``2023-Q1``)."""
    year = period.str.slice(0, 4).cast(pl.Int32) - 1
    return pl.concat_str(year.cast(pl.String), period.str.slice(4))


def add_relative_metrics(frame: pl.DataFrame) -> pl.DataFrame:
    """Add ``k_region`` (L ÷ the prefecture's L of all peers) and ``intensity_change`` (year on year).

    ``intensity_change`` needs the same organisation's intensity a year earlier in the same
    frame (the services rate the previous period alongside for this reason); otherwise null.
    """
    peer = pl.col("is_benchmark_peer")
    emissions = pl.when(peer).then(pl.col("emissions_tco2e")).sum().over("period", "prefecture_code")
    value_added = pl.when(peer).then(pl.col("value_added_10k_cny")).sum().over("period", "prefecture_code")
    regional = pl.when(value_added > 0).then(emissions / value_added)
    # One Int64 key (organisation, period index) instead of a two-column join: on millions of
    # rows the single-key hash join is several times faster.
    periods = sorted(frame["period"].cast(pl.String).unique().to_list())
    index = {code: number for number, code in enumerate(periods)}
    earlier = {code: index.get(year_earlier(code)) for code in periods}
    key = pl.col("organisation_id") * len(periods)
    text = pl.col("period").cast(pl.String)
    own = key + text.replace_strict(index, return_dtype=pl.Int64)
    before = key + text.replace_strict(earlier, return_dtype=pl.Int64)
    intensity = pl.col("intensity_tco2e_per_10k_cny")
    previous = frame.select(own.alias("_key"), intensity.alias("_earlier_intensity")).filter(
        pl.col("_earlier_intensity") > 0
    )
    keyed = frame.with_columns(
        pl.when(peer & (regional > 0)).then(intensity / regional).alias("k_region"), before.alias("_key")
    )
    return (
        attach(keyed, previous, ["_key"])
        .with_columns(pl.when(peer).then(intensity / pl.col("_earlier_intensity")).alias("intensity_change"))
        .drop("_key", "_earlier_intensity")
    )


def _rank_of(dimension: Dimension) -> pl.Expr:
    value = pl.col(METRIC_COLUMNS[dimension.metric]).round(BAND_ROUNDING)
    expression: pl.Expr = pl.lit(None, dtype=pl.Int32)
    for band in reversed(dimension.bands):
        condition = pl.lit(True)
        if band.lower_exclusive is not None:
            condition = condition & (value > band.lower_exclusive)
        if band.upper_inclusive is not None:
            condition = condition & (value <= band.upper_inclusive)
        expression = pl.when(condition).then(pl.lit(band.rank, dtype=pl.Int32)).otherwise(expression)
    return pl.when(value.is_not_null() & value.is_finite()).then(expression)


def assign_grades(frame: pl.LazyFrame, scheme: GradingScheme) -> pl.LazyFrame:
    """Add ``grade`` (rank, 1 best), ``grade_code``, ``grade_label_zh``, ``colour`` and ``level_code``.

    Firms with a ``not_rated_reason`` get no grade. The grade is the worst rank among the
    scheme's grade dimensions that can be evaluated; the first dimension must be.
    """
    ranks = [_rank_of(d).alias(f"_rank_{i}") for i, d in enumerate(scheme.grade_dimensions)]
    bands = scheme.ranks
    rated = pl.col("not_rated_reason").is_null() & pl.col("_rank_0").is_not_null()
    grade = pl.when(rated).then(pl.max_horizontal(pl.col(r"^_rank_\d+$")))

    def lookup(attribute: str) -> pl.Expr:
        mapping = {band.rank: getattr(band, attribute) for band in bands}
        return pl.col("grade").replace_strict(mapping, default=None, return_dtype=pl.String)

    level: pl.Expr = pl.lit(None, dtype=pl.String)
    if scheme.level_dimension is not None:
        codes = {band.rank: band.code for band in scheme.level_dimension.bands}
        level_rank = _rank_of(scheme.level_dimension)
        level = level_rank.replace_strict(codes, default=None, return_dtype=pl.String)
    return (
        frame.with_columns(ranks)
        .with_columns(grade.alias("grade"), pl.when(rated).then(level).alias("level_code"))
        .with_columns(
            lookup("code").alias("grade_code"),
            lookup("label_zh").alias("grade_label_zh"),
            lookup("label_en").alias("grade_label_en"),
            lookup("colour").alias("colour"),
        )
        .drop(cs.starts_with("_rank_"))
    )


def rank_firms(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Rank rated firms by K (1 = lowest K) within their benchmark industry and their county."""
    k = pl.when(pl.col("grade").is_not_null()).then(pl.col("k_industry"))
    return frame.with_columns(
        k.rank("min").over("period", "benchmark_industry_code").cast(pl.Int32).alias("rank_in_industry"),
        k.rank("min").over("period", "county_code").cast(pl.Int32).alias("rank_in_region"),
    )
