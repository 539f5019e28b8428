"""The whole rating of one or more periods: intensities → benchmarks → grades → lists → roll-ups.

Callers hand in prepared frames (the services load them from the store; the benchmark builds
them in memory) and get frames back; nothing here touches a database.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from citycarbon.domain.efficiency.schemes import GradingScheme
from citycarbon.domain.efficiency.settings import BenchmarkSettings, WatchRule
from citycarbon.engines.efficiency.benchmarks import assign_benchmarks, compute_benchmarks
from citycarbon.engines.efficiency.codes import attach
from citycarbon.engines.efficiency.grades import add_relative_metrics, assign_grades, rank_firms
from citycarbon.engines.efficiency.intensities import FIRM_SCHEMA, compute_intensities
from citycarbon.engines.efficiency.rollups import roll_up
from citycarbon.engines.efficiency.watchlists import apply_watch_rules


@dataclass(frozen=True)
class RatingResult:
    """Frames produced by :func:`rate_firms`.

    Attributes
    ----------
    grades
        One row per organisation and period: inputs, intensities, benchmark used, K, grade,
        level, colour, ranks and ``not_rated_reason``.
    benchmarks
        Every benchmark computed (or supplied) per period, industry code and level.
    watchlist
        Watch-list entries with the rule and the movement year on year.
    rollups
        Totals, intensities and grade counts per region and industry level.

    """

    grades: pl.DataFrame
    benchmarks: pl.DataFrame
    watchlist: pl.DataFrame
    rollups: pl.DataFrame


def rate_firms(
    firms: pl.DataFrame,
    *,
    industry_levels: pl.DataFrame,
    region_levels: pl.DataFrame,
    scheme: GradingScheme,
    settings: BenchmarkSettings,
    rules: Sequence[WatchRule] = (),
    official_benchmarks: pl.DataFrame | None = None,
) -> RatingResult:
    """Rate every organisation and period in ``firms`` (columns of :data:`FIRM_SCHEMA`).

    Parameters
    ----------
    firms
        Emissions [tCO2e], energy [tce], output value and value added [10^4 CNY], land [mu]
        per organisation and period. Several periods are rated together and independently;
        year-on-year figures use the earlier period when it is present.
    industry_levels, region_levels
        From :mod:`citycarbon.engines.efficiency.codes`, covering the codes in ``firms``.
    scheme, settings, rules
        Grading scheme, benchmark settings and watch-list rules.
    official_benchmarks
        Optional official benchmark table, preferred to computed benchmarks of the same code.

    """
    industries = _enum(industry_levels)
    regions = _enum(region_levels)
    periods = pl.Enum(sorted(firms["period"].unique().drop_nulls().to_list()))
    enums = {"industry_code": industries, "region_code": regions, "period": periods}
    typed = firms.select([pl.col(name).cast(enums.get(name, dtype)) for name, dtype in FIRM_SCHEMA.items()])
    located = attach(typed, region_levels.cast(regions), ["region_code"])
    measured = compute_intensities(located, industry_levels.cast(industries))
    if official_benchmarks is not None:
        official_benchmarks = _known(official_benchmarks, industries, periods)
    benchmarks = compute_benchmarks(measured.lazy(), settings, official_benchmarks)
    compared = add_relative_metrics(assign_benchmarks(measured, benchmarks, settings).collect())
    graded = rank_firms(assign_grades(compared.lazy(), scheme)).collect()
    lazy = graded.lazy()
    return RatingResult(
        grades=graded,
        benchmarks=benchmarks.sort("period", "industry_level", "industry_code"),
        watchlist=apply_watch_rules(lazy, rules),
        rollups=roll_up(lazy),
    )


def _enum(levels: pl.DataFrame) -> pl.Enum:
    """One Enum over every code in a level table.

    Codes are joined, grouped and windowed over millions of rows; as an Enum they are small
    integers underneath, which makes those operations several times faster than on text.
    """
    values = pl.concat([levels[column] for column in levels.columns]).drop_nulls().unique().sort()
    return pl.Enum(values.to_list())


def _known(official: pl.DataFrame, industries: pl.Enum, periods: pl.Enum) -> pl.DataFrame:
    """Official rows for codes and periods being rated, typed like the rated frame."""
    rows = official.filter(pl.col("industry_code").is_in(industries.categories.to_list()))
    if "period" in rows.columns:
        rows = rows.filter(pl.col("period").cast(pl.String).is_in(periods.categories.to_list()))
        rows = rows.with_columns(pl.col("period").cast(pl.String).cast(periods))
    return rows.with_columns(pl.col("industry_code").cast(industries))
