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
from citycarbon.domain.identifiers import IndustryCatalogue, RegionCatalogue
from citycarbon.engines.efficiency.benchmarks import (
    ASSIGNED_COLUMNS,
    assign_benchmarks,
    compute_benchmarks,
    peer_keys,
    plan_medians,
)
from citycarbon.engines.efficiency.codes import (
    INDUSTRY_LEVEL_COLUMNS,
    REGION_LEVEL_COLUMNS,
    Coding,
    industry_levels,
    region_levels,
)
from citycarbon.engines.efficiency.grades import GRADE_COLUMNS, assign_grades
from citycarbon.engines.efficiency.intensities import FIRM_SCHEMA, INTENSITY_COLUMNS, compute_intensities
from citycarbon.engines.efficiency.relative import add_relative_metrics, earlier_intensity
from citycarbon.engines.efficiency.rollups import roll_up
from citycarbon.engines.efficiency.totals import count_grades, sum_totals
from citycarbon.engines.efficiency.watchlists import judge, list_firms

#: Columns of :attr:`RatingResult.grades`, in order.
RATED_COLUMNS = (
    *FIRM_SCHEMA,
    *REGION_LEVEL_COLUMNS,
    *INDUSTRY_LEVEL_COLUMNS,
    *INTENSITY_COLUMNS,
    *ASSIGNED_COLUMNS,
    "k_industry",
    "k_region",
    "intensity_change",
    *GRADE_COLUMNS,
)


@dataclass(frozen=True)
class RatingResult:
    """Frames produced by :func:`rate_firms`.

    Attributes
    ----------
    grades
        One row per organisation and period: inputs, intensities, benchmark used, K, grade,
        level, colour and ``not_rated_reason`` (ranks are read per group: ``rankings.py``).
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
    industries: IndustryCatalogue,
    regions: RegionCatalogue,
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
    industries, regions
        GB/T 4754 and GB/T 2260 catalogues: each distinct code's levels are looked up once.
    scheme, settings, rules
        Grading scheme, benchmark settings and watch-list rules.
    official_benchmarks
        Optional official benchmark table, preferred to computed benchmarks of the same code.

    """
    coding = _coding(firms, industries, regions)
    enums = {name: coding.dtype(name) for name in ("period", "industry_code", "region_code")}
    typed = firms.lazy().select(
        [pl.col(name).cast(enums.get(name, dtype)) for name, dtype in FIRM_SCHEMA.items()]
    )
    measured = compute_intensities(typed.with_columns(coding.levels())).collect()
    # Every figure over all firms that the grades need, computed side by side: additive totals
    # per region and per industry code (one pass each), and the medians.
    peers = peer_keys(measured.lazy(), coding, settings)
    region_totals, industry_totals, *medians = pl.collect_all(
        [*sum_totals(measured.lazy(), coding), *plan_medians(peers, coding, settings)]
    )
    if official_benchmarks is not None:
        official_benchmarks = _known(official_benchmarks, coding)
    benchmarks = compute_benchmarks(medians, industry_totals, coding, settings, official_benchmarks)
    compared = assign_benchmarks(
        measured.with_columns(earlier_intensity(measured, coding)).lazy(), benchmarks, coding, settings
    )
    graded_plan = assign_grades(add_relative_metrics(compared, region_totals, coding), scheme)
    graded = graded_plan.select(RATED_COLUMNS).collect()
    # Grade counts and the watch-list judgement both read the graded firms: side by side.
    region_grades, industry_grades, listed = pl.collect_all(
        [*count_grades(graded.lazy(), coding), judge(graded.lazy(), rules, coding)]
    )
    keys = ["period", "region_code"], ["period", "industry_code"]
    return RatingResult(
        grades=graded,
        benchmarks=benchmarks.sort("period", "industry_level", "industry_code"),
        watchlist=list_firms(listed, rules, coding, graded.height),
        rollups=roll_up(
            region_totals.join(region_grades, on=keys[0], nulls_equal=True),
            industry_totals.join(industry_grades, on=keys[1], nulls_equal=True),
            coding,
        ),
    )


def _coding(firms: pl.DataFrame, industries: IndustryCatalogue, regions: RegionCatalogue) -> Coding:
    """The run's Enums and level tables, from the distinct codes (found side by side in one pass)."""
    names = ("period", "industry_code", "region_code")
    distinct = pl.collect_all(firms.lazy().group_by(name).agg().drop_nulls() for name in names)
    periods, industry_codes, region_codes = (frame.to_series() for frame in distinct)
    return Coding.build(
        periods, industry_levels(industry_codes, industries), region_levels(region_codes, regions)
    )


def _known(official: pl.DataFrame, coding: Coding) -> pl.DataFrame:
    """Official rows for codes and periods being rated, typed like the rated frame."""
    industries, periods = coding.dtype("industry_code"), coding.dtype("period")
    rows = official.filter(pl.col("industry_code").is_in(industries.categories.to_list()))
    if "period" in rows.columns:
        rows = rows.filter(pl.col("period").cast(pl.String).is_in(periods.categories.to_list()))
        rows = rows.with_columns(pl.col("period").cast(pl.String).cast(periods))
    return rows.with_columns(pl.col("industry_code").cast(industries))
