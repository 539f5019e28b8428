"""Roll-ups by region level (province → prefecture → county) and by industry level.

Sums are additive, so firms are first aggregated once to the finest cell (county × class) and
every level is then a small group-by over those cells instead of over the firms. Intensities
are ratios of sums over the firms that could be rated on data (the benchmark peers), so one
firm without value added cannot distort a county's figure.
"""

from __future__ import annotations

import polars as pl
import polars.selectors as cs

from citycarbon.engines.efficiency.codes import INDUSTRY_LEVEL_COLUMNS, REGION_LEVEL_COLUMNS

MAX_GRADE = 5
_LEVELS = [("region", c) for c in REGION_LEVEL_COLUMNS] + [("industry", c) for c in INDUSTRY_LEVEL_COLUMNS]


def _cell_sums() -> list[pl.Expr]:
    peer = pl.col("is_benchmark_peer")
    grades = [(pl.col("grade") == g).sum().alias(f"grade_{g}_count") for g in range(1, MAX_GRADE + 1)]
    return [
        pl.len().alias("organisation_count"),
        pl.col("grade").is_not_null().sum().alias("rated_count"),
        *grades,
        pl.col("emissions_tco2e").sum(),
        pl.col("energy_tce").sum(),
        pl.col("value_added_10k_cny").sum(),
        pl.col("output_value_10k_cny").sum(),
        pl.col("area_mu").sum(),
        pl.when(peer).then(pl.col("emissions_tco2e")).sum().alias("_peer_emissions"),
        pl.when(peer).then(pl.col("value_added_10k_cny")).sum().alias("_peer_value_added"),
        pl.when(pl.col("area_mu") > 0).then(pl.col("emissions_tco2e")).sum().alias("_land_emissions"),
        pl.when(pl.col("area_mu") > 0).then(pl.col("area_mu")).sum().alias("_land_area"),
    ]


def roll_up(frame: pl.LazyFrame) -> pl.DataFrame:
    """Totals, intensities and grade distribution per period, dimension, level and code.

    Returns
    -------
    DataFrame
        ``period``, ``dimension`` (``region`` or ``industry``), ``level`` (``province`` …
        ``county``, ``section`` … ``class``), ``code`` (empty when firms have no code at that
        level), counts of organisations, rated firms and each grade, totals of emissions
        [tCO2e], energy [tce], value added and output [10^4 CNY], land [mu],
        ``intensity_tco2e_per_10k_cny`` and ``emissions_per_mu_tco2e``.

    """
    keys = ["period", *REGION_LEVEL_COLUMNS, *INDUSTRY_LEVEL_COLUMNS]
    # Group by the two registered codes only (fewer keys hash faster); every level above a
    # code is a function of it, so it is taken once per cell afterwards.
    cells = (
        frame.group_by("period", "region_code", "industry_code")
        .agg(*_cell_sums(), *(pl.col(c).first() for c in keys[1:]))
        .drop("region_code", "industry_code")
        .collect()
    )
    summed = [c for c in cells.columns if c not in keys]
    parts = [
        cells.group_by(
            pl.col("period").cast(pl.String), pl.col(column).cast(pl.String).fill_null("").alias("code")
        )
        .agg(pl.col(summed).sum())
        .with_columns(
            pl.lit(dimension).alias("dimension"), pl.lit(column.removesuffix("_code")).alias("level")
        )
        for dimension, column in _LEVELS
    ]
    ratio = pl.col("_peer_emissions") / pl.col("_peer_value_added")
    per_mu = pl.col("_land_emissions") / pl.col("_land_area")
    return (
        pl.concat(parts)
        .with_columns(
            pl.when(pl.col("_peer_value_added") > 0).then(ratio).alias("intensity_tco2e_per_10k_cny"),
            pl.when(pl.col("_land_area") > 0).then(per_mu).alias("emissions_per_mu_tco2e"),
            (pl.col("organisation_count") - pl.col("rated_count")).alias("not_rated_count"),
        )
        .drop(cs.starts_with("_"))
        .sort("period", "dimension", "level", "code")
    )
