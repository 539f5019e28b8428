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
from typing import get_args

import polars as pl

from citycarbon.domain.efficiency import reasons
from citycarbon.domain.efficiency.settings import FALLBACK, BenchmarkMethod, BenchmarkSettings
from citycarbon.engines.efficiency.codes import Coding
from citycarbon.engines.efficiency.intensities import REASON

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
#: Benchmark levels and methods as Enums, so the firm rows carry small integers, not text.
LEVEL = pl.Enum(list(FALLBACK))
METHOD = pl.Enum([*get_args(BenchmarkMethod), "official"])
#: Columns :func:`assign_benchmarks` adds, in order.
ASSIGNED_COLUMNS = (
    "benchmark_tco2e_per_10k_cny",
    "benchmark_level",
    "benchmark_industry_code",
    "benchmark_peer_count",
    "benchmark_method",
)


def _value(method: str) -> pl.Expr:
    """The benchmark from a level's peer sums (the median is joined in separately)."""
    emissions, value_added = pl.col("emissions_tco2e"), pl.col("value_added_10k_cny")
    if method == "emissions_weighted_mean":
        return pl.when(emissions > 0).then(pl.col("peer_weighted_intensity_tco2e") / emissions)
    return pl.when(value_added > 0).then(emissions / value_added)


def peer_keys(frame: pl.LazyFrame, coding: Coding, settings: BenchmarkSettings) -> pl.LazyFrame:
    """Plan of the peers' intensities with one integer key per benchmark level (for medians).

    Medians are not additive, so each level needs its own group-by over the peers; narrowing
    the peers to their keys and intensity once makes those group-bys read two columns instead
    of filtering the wide frame three times. Empty unless the method is ``median``.
    """
    keys = [coding.grid("period", f"{level}_code").index().alias(level) for level in settings.levels]
    if settings.method != "median":
        keys = []
    return frame.filter("is_benchmark_peer").select(*keys, "intensity_tco2e_per_10k_cny")


def plan_medians(peers: pl.LazyFrame, coding: Coding, settings: BenchmarkSettings) -> list[pl.LazyFrame]:
    """Plans of the peers' median intensity per period and code, one per level (none unless ``median``).

    ``peers`` is the plan of :func:`peer_keys`; each key is the position of period × code.
    Collected together with the totals, the narrowed peers are computed once for all levels.
    """
    if settings.method != "median":
        return []
    plans = []
    for level in settings.levels:
        grid = coding.grid("period", f"{level}_code")
        plans.append(
            peers.group_by(level)
            .agg(pl.col("intensity_tco2e_per_10k_cny").median())
            .select(*grid.decode(pl.col(level)), "intensity_tco2e_per_10k_cny")
        )
    return plans


def compute_benchmarks(
    medians: list[pl.DataFrame],
    industry_totals: pl.DataFrame,
    coding: Coding,
    settings: BenchmarkSettings,
    official: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Benchmarks per period, industry code and level (official ones included and preferred).

    Parameters
    ----------
    medians
        For the median method, the collected plans of :func:`plan_medians`; else empty.
    industry_totals
        Sums per period and ``industry_code`` (see :mod:`~citycarbon.engines.efficiency.totals`).
    coding
        The run's codes and level tables.
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
    levels = settings.levels
    codes = [f"{level}_code" for level in levels]
    totals = industry_totals.with_columns(coding.grid("industry_code").gather(coding.industry_levels, codes))
    frames = []
    for number, (level, code) in enumerate(zip(levels, codes, strict=True)):
        sums = (
            totals.group_by("period", code)
            .agg(
                pl.col("peer_count").sum().cast(pl.Int64),
                pl.col("peer_emissions_tco2e").sum().alias("emissions_tco2e"),
                pl.col("peer_value_added_10k_cny").sum().alias("value_added_10k_cny"),
                pl.col("peer_weighted_intensity_tco2e").sum(),
            )
            .filter(pl.col(code).is_not_null() & (pl.col("peer_count") > 0))
        )
        if medians:
            sums = sums.join(medians[number], on=["period", code], how="left")
        else:
            sums = sums.with_columns(_value(settings.method).alias("intensity_tco2e_per_10k_cny"))
        frames.append(
            sums.rename({code: "industry_code"}).with_columns(
                pl.lit(level).alias("industry_level"),
                pl.lit(settings.method).alias("method"),
                pl.lit("computed").alias("source"),
            )
        )
    computed = pl.concat(frames).select(BENCHMARK_COLUMNS)
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
    frame: pl.LazyFrame, benchmarks: pl.DataFrame, coding: Coding, settings: BenchmarkSettings
) -> pl.LazyFrame:
    """Give each peer-eligible firm the finest usable benchmark, and K where it is defined.

    Adds :data:`ASSIGNED_COLUMNS` and ``k_industry``, and extends ``not_rated_reason`` with
    ``too_few_peers`` and ``benchmark_not_positive``. The fallback depends only on the period
    and the firm's industry code, so it is decided once per (period, code) on a small table
    and then gathered onto the firms by position.
    """
    grid = coding.grid("period", "industry_code")
    codes = [f"{level}_code" for level in settings.levels]
    table = grid.frame().with_columns(coding.grid("industry_code").gather(coding.industry_levels, codes))
    usable = benchmarks.filter("is_usable")
    for level in settings.levels:
        found = usable.filter(pl.col("industry_level") == level).select(
            "period",
            pl.col("industry_code").alias(f"{level}_code"),
            pl.col("intensity_tco2e_per_10k_cny").alias(f"_value_{level}"),
            pl.col("peer_count").alias(f"_peers_{level}"),
            pl.col("method").cast(METHOD).alias(f"_method_{level}"),
        )
        table = table.join(found, on=["period", f"{level}_code"], how="left", maintain_order="left")

    def first(pick: Callable[[str], pl.Expr]) -> pl.Expr:
        """``pick(level)`` of the finest level that has a usable benchmark."""
        expression: pl.Expr = pl.lit(None)
        for level in reversed(settings.levels):
            found = pl.col(f"_value_{level}").is_not_null()
            expression = pl.when(found).then(pick(level)).otherwise(expression)
        return expression

    chosen = table.select(
        first(lambda lv: pl.col(f"_value_{lv}")).alias("benchmark_tco2e_per_10k_cny"),
        first(lambda lv: pl.lit(lv, dtype=LEVEL)).alias("benchmark_level"),
        first(lambda lv: pl.col(f"{lv}_code")).alias("benchmark_industry_code"),
        first(lambda lv: pl.col(f"_peers_{lv}")).alias("benchmark_peer_count"),
        first(lambda lv: pl.col(f"_method_{lv}")).alias("benchmark_method"),
    )
    peer = pl.col("is_benchmark_peer")
    value = pl.col("benchmark_tco2e_per_10k_cny")
    reason = pl.col("not_rated_reason")
    too_few, not_positive = (
        pl.lit(code, dtype=REASON) for code in (reasons.TOO_FEW_PEERS, reasons.BENCHMARK_NOT_POSITIVE)
    )
    return frame.with_columns(grid.gather(chosen, ASSIGNED_COLUMNS, where=peer)).with_columns(
        pl.when(value > 0).then(pl.col("intensity_tco2e_per_10k_cny") / value).alias("k_industry"),
        pl.when(reason.is_null() & value.is_null())
        .then(too_few)
        .when(reason.is_null() & (value <= 0))
        .then(not_positive)
        .otherwise(reason)
        .alias("not_rated_reason"),
    )
