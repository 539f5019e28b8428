"""Industry benchmarks from the region's own data, with class → group → division fallback.

A benchmark is computed for every industry code at every level from the firms with valid data
(the peers). Each firm then takes the finest level whose benchmark has at least ``min_peers``
peers; an official benchmark, when one is supplied for a code, replaces the computed one at
that level. A firm with no usable benchmark at any level is not rated, with the reason.

References
----------
《规上工业企业碳效等级评价方法》: K = L_enterprise / average L of the same industry and period.

"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import polars.selectors as cs

from citycarbon.domain.efficiency import reasons
from citycarbon.domain.efficiency.settings import BenchmarkSettings
from citycarbon.engines.efficiency.codes import attach

BENCHMARK_COLUMNS = (
    "period",
    "industry_code",
    "industry_level",
    "method",
    "peer_count",
    "emissions_tco2e",
    "value_added_10k_cny",
    "intensity_tco2e_per_10k_cny",
    "source",
)


def _value(method: str) -> pl.Expr:
    e, va = pl.col("emissions_tco2e"), pl.col("value_added_10k_cny")
    if method == "median":
        return pl.col("intensity_tco2e_per_10k_cny").median()
    if method == "emissions_weighted_mean":
        weighted = (e * pl.col("intensity_tco2e_per_10k_cny")).sum()
        return pl.when(e.sum() > 0).then(weighted / e.sum())
    return pl.when(va.sum() > 0).then(e.sum() / va.sum())


def compute_benchmarks(
    rated: pl.LazyFrame, settings: BenchmarkSettings, official: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Benchmarks per period, industry code and level (official ones included and preferred).

    Parameters
    ----------
    rated
        Output of :func:`~citycarbon.engines.efficiency.intensities.compute_intensities`.
    settings
        Level, minimum peer count and averaging method.
    official
        Optional table with ``industry_code``, ``intensity_tco2e_per_10k_cny`` [tCO2e/10^4 CNY]
        and ``source`` (and ``period`` to limit a row to one period).

    Returns
    -------
    DataFrame
        One row per benchmark with :data:`BENCHMARK_COLUMNS` and ``is_usable``.

    """
    peers = rated.filter(pl.col("is_benchmark_peer"))
    frames = [
        peers.group_by("period", pl.col(f"{level}_code").alias("industry_code"))
        .agg(
            pl.len().cast(pl.Int64).alias("peer_count"),
            pl.col("emissions_tco2e").sum(),
            pl.col("value_added_10k_cny").sum(),
            _value(settings.method).alias("intensity_tco2e_per_10k_cny"),
        )
        .filter(pl.col("industry_code").is_not_null())
        .with_columns(
            pl.lit(level).alias("industry_level"),
            pl.lit(settings.method).alias("method"),
            pl.lit("computed").alias("source"),
        )
        for level in settings.levels
    ]
    computed = pl.concat(frames).select(BENCHMARK_COLUMNS).collect()
    computed = computed.with_columns((pl.col("peer_count") >= settings.min_peers).alias("is_usable"))
    if official is None or official.is_empty():
        return computed
    return _with_official(computed, official)


def _with_official(computed: pl.DataFrame, official: pl.DataFrame) -> pl.DataFrame:
    """Put official rows in place of computed ones for the same period and code."""
    periods = computed.select("period").unique()
    if "period" not in official.columns:
        official = official.join(periods, how="cross")
    level = (
        pl.col("industry_code")
        .cast(pl.String)
        .str.len_chars()
        .replace_strict({3: "division", 4: "group", 5: "class"}, default=None, return_dtype=pl.String)
    )
    rows = official.select(
        pl.col("period").cast(computed.schema["period"]),
        pl.col("industry_code").cast(computed.schema["industry_code"]),
        level.alias("industry_level"),
        pl.lit("official").alias("method"),
        pl.lit(None, dtype=pl.Int64).alias("peer_count"),
        pl.lit(None, dtype=pl.Float64).alias("emissions_tco2e"),
        pl.lit(None, dtype=pl.Float64).alias("value_added_10k_cny"),
        pl.col("intensity_tco2e_per_10k_cny").cast(pl.Float64),
        pl.col("source").cast(pl.String),
        pl.lit(True).alias("is_usable"),
    ).filter(pl.col("industry_level").is_not_null())
    kept = computed.join(rows.select("period", "industry_code"), on=["period", "industry_code"], how="anti")
    return pl.concat([rows, kept])


def assign_benchmarks(
    rated: pl.DataFrame, benchmarks: pl.DataFrame, settings: BenchmarkSettings
) -> pl.LazyFrame:
    """Give each peer-eligible firm the finest usable benchmark, and K where it is defined.

    Adds ``benchmark_industry_code``, ``benchmark_level``, ``benchmark_method``,
    ``benchmark_peer_count``, ``benchmark_tco2e_per_10k_cny`` and ``k_industry``, and extends
    ``not_rated_reason`` with ``too_few_peers`` and ``benchmark_not_positive``.
    """
    usable = benchmarks.filter("is_usable")
    frame = rated
    for level in settings.levels:
        table = usable.filter(pl.col("industry_level") == level).select(
            "period",
            pl.col("industry_code").alias(f"{level}_code"),
            pl.col("intensity_tco2e_per_10k_cny").alias(f"_value_{level}"),
            pl.col("peer_count").alias(f"_peers_{level}"),
            pl.col("method").alias(f"_method_{level}"),
        )
        frame = attach(frame, table, ["period", f"{level}_code"])

    def first(pick: Callable[[str], pl.Expr]) -> pl.Expr:
        """``pick(level)`` of the finest level that has a usable benchmark."""
        expression: pl.Expr = pl.lit(None)
        for level in reversed(settings.levels):
            found = pl.col(f"_value_{level}").is_not_null()
            expression = pl.when(found).then(pick(level)).otherwise(expression)
        return expression

    peer = pl.col("is_benchmark_peer")
    value = pl.col("benchmark_tco2e_per_10k_cny")
    reason = pl.col("not_rated_reason")
    return (
        frame.lazy()
        .with_columns(
            pl.when(peer).then(first(lambda lv: pl.col(f"_value_{lv}"))).alias("benchmark_tco2e_per_10k_cny"),
            pl.when(peer).then(first(pl.lit)).cast(pl.String).alias("benchmark_level"),
            pl.when(peer).then(first(lambda lv: pl.col(f"{lv}_code"))).alias("benchmark_industry_code"),
            pl.when(peer).then(first(lambda lv: pl.col(f"_peers_{lv}"))).alias("benchmark_peer_count"),
            pl.when(peer).then(first(lambda lv: pl.col(f"_method_{lv}"))).alias("benchmark_method"),
        )
        .with_columns(
            pl.when(value > 0).then(pl.col("intensity_tco2e_per_10k_cny") / value).alias("k_industry"),
            pl.when(reason.is_null() & value.is_null())
            .then(pl.lit(reasons.TOO_FEW_PEERS))
            .when(reason.is_null() & (value <= 0))
            .then(pl.lit(reasons.BENCHMARK_NOT_POSITIVE))
            .otherwise(reason)
            .alias("not_rated_reason"),
        )
        .drop(cs.starts_with("_"))
    )
