"""Roll-ups by region level (province → prefecture → county) and by industry level.

Sums are additive, so firms are summed once per period and registered region code and once
per period and industry code (see :mod:`~citycarbon.engines.efficiency.totals`), and every
level is then a tiny group-by over those totals instead of over the firms. Intensities are
ratios of sums over the firms that could be rated on data (the benchmark peers), so one firm
without value added cannot distort a county's figure.
"""

from __future__ import annotations

import polars as pl

from citycarbon.engines.efficiency.codes import INDUSTRY_LEVEL_COLUMNS, REGION_LEVEL_COLUMNS, Coding
from citycarbon.engines.efficiency.totals import GRADE_COUNTS, TOTAL_COLUMNS

#: Summed columns of a roll-up row, in output order.
TOTALS = ("organisation_count", *GRADE_COUNTS, *TOTAL_COLUMNS)
_RATIO_SUMS = ("peer_emissions_tco2e", "peer_value_added_10k_cny", "land_emissions_tco2e", "land_area_mu")
_COUNTS = ("organisation_count", *GRADE_COUNTS, "not_rated_count")


def roll_up(region_totals: pl.DataFrame, industry_totals: pl.DataFrame, coding: Coding) -> pl.DataFrame:
    """Totals, intensities and grade distribution per period, dimension, level and code.

    Parameters
    ----------
    region_totals, industry_totals
        Sums and grade counts per ``period`` and ``region_code`` / ``industry_code``.
    coding
        The run's codes and level tables.

    Returns
    -------
    DataFrame
        ``period``, ``dimension`` (``region`` or ``industry``), ``level`` (``province`` …
        ``county``, ``section`` … ``class``), ``code`` (empty when firms have no code at that
        level), counts of organisations, rated firms and each grade, totals of emissions
        [tCO2e], energy [tce], value added and output [10^4 CNY], land [mu],
        ``intensity_tco2e_per_10k_cny`` and ``emissions_per_mu_tco2e``.

    """
    summed = [*TOTALS, *_RATIO_SUMS]
    dimensions = (
        ("region", "region_code", region_totals, coding.region_levels, REGION_LEVEL_COLUMNS),
        ("industry", "industry_code", industry_totals, coding.industry_levels, INDUSTRY_LEVEL_COLUMNS),
    )
    parts: list[pl.DataFrame] = []
    for dimension, code, totals, levels, columns in dimensions:
        totals = totals.with_columns(coding.grid(code).gather(levels, columns))
        parts.extend(
            totals.group_by(
                pl.col("period").cast(pl.String), pl.col(column).cast(pl.String).fill_null("").alias("code")
            )
            .agg(pl.col(summed).sum())
            .with_columns(
                pl.lit(dimension).alias("dimension"), pl.lit(column.removesuffix("_code")).alias("level")
            )
            for column in columns
        )
    emissions, value_added = pl.col("peer_emissions_tco2e"), pl.col("peer_value_added_10k_cny")
    land_emissions, land = pl.col("land_emissions_tco2e"), pl.col("land_area_mu")
    return (
        pl.concat(parts)
        .with_columns(
            pl.when(value_added > 0).then(emissions / value_added).alias("intensity_tco2e_per_10k_cny"),
            pl.when(land > 0).then(land_emissions / land).alias("emissions_per_mu_tco2e"),
            (pl.col("organisation_count") - pl.col("rated_count")).alias("not_rated_count"),
        )
        .select(
            "period",
            "code",
            *TOTALS,
            "dimension",
            "level",
            "intensity_tco2e_per_10k_cny",
            "emissions_per_mu_tco2e",
            "not_rated_count",
        )
        .with_columns(pl.col(_COUNTS).cast(pl.UInt32))
        .sort("period", "dimension", "level", "code")
    )
