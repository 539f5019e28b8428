"""Sums per period and region code, and per period and industry code, over all firms.

These two passes over the firms are shared by benchmarks, regional K and roll-ups. Sums are
additive, so the benchmark sums of every industry level, the regional intensity of
every prefecture and every roll-up level are tiny group-bys over these totals (a few hundred
or thousand rows) instead of over the firms (millions). Regions and industries are never
crossed, so each pass has few groups, and its key is the position of (period, code) in a
:class:`~citycarbon.engines.efficiency.codes.CodeGrid`, one integer.
"""

from __future__ import annotations

import polars as pl

from citycarbon.engines.efficiency.codes import Coding

MAX_GRADE = 5
#: Cell sums of every firm (totals) and of the benchmark peers (intensities, benchmarks).
CELL_SUMS = (
    "organisation_count",
    "emissions_tco2e",
    "energy_tce",
    "value_added_10k_cny",
    "output_value_10k_cny",
    "area_mu",
    "peer_count",
    "peer_emissions_tco2e",
    "peer_value_added_10k_cny",
    "peer_weighted_intensity_tco2e",
    "land_emissions_tco2e",
    "land_area_mu",
)
#: Quantities summed over every firm, whether rated or not.
TOTAL_COLUMNS = ("emissions_tco2e", "energy_tce", "value_added_10k_cny", "output_value_10k_cny", "area_mu")
GRADE_COUNTS = ("rated_count", *(f"grade_{g}_count" for g in range(1, MAX_GRADE + 1)))


def _sums() -> list[pl.Expr]:
    peer = pl.col("is_benchmark_peer")
    emissions = pl.col("emissions_tco2e")
    land = pl.col("area_mu") > 0
    return [
        pl.len().alias("organisation_count"),
        pl.col(*TOTAL_COLUMNS).sum(),
        peer.sum().alias("peer_count"),
        pl.when(peer).then(emissions).sum().alias("peer_emissions_tco2e"),
        pl.when(peer).then(pl.col("value_added_10k_cny")).sum().alias("peer_value_added_10k_cny"),
        pl.when(peer)
        .then(emissions * pl.col("intensity_tco2e_per_10k_cny"))
        .sum()
        .alias("peer_weighted_intensity_tco2e"),
        pl.when(land).then(emissions).sum().alias("land_emissions_tco2e"),
        pl.when(land).then(pl.col("area_mu")).sum().alias("land_area_mu"),
    ]


def _by(frame: pl.LazyFrame, coding: Coding, aggregations: list[pl.Expr]) -> list[pl.LazyFrame]:
    plans = []
    for code in ("region_code", "industry_code"):
        grid = coding.grid("period", code)
        plans.append(
            frame.group_by(grid.index().alias("_position"))
            .agg(aggregations)
            .select(*grid.decode(pl.col("_position")), pl.exclude("_position"))
        )
    return plans


def sum_totals(frame: pl.LazyFrame, coding: Coding) -> list[pl.LazyFrame]:
    """Plans of :data:`CELL_SUMS` per (``period``, ``region_code``) and per (``period``, ``industry_code``).

    ``peer_weighted_intensity_tco2e`` is Σ E·L over the peers, the numerator of an
    emissions-weighted mean intensity. ``land_*`` cover firms with a positive area only, so
    emissions per mu are not diluted by firms whose land is unknown.
    """
    return _by(frame, coding, _sums())


def count_grades(frame: pl.LazyFrame, coding: Coding) -> list[pl.LazyFrame]:
    """Plans of :data:`GRADE_COUNTS` (rated firms, each grade) per period and region / industry code.

    Each firm counts once in the cell of (its period × code, its grade), so a count is one
    group-by on one integer (cell position × 8 + grade) whose few thousand rows are then
    spread into one column per grade.
    """
    slots = MAX_GRADE + 1
    plans = []
    for code in ("region_code", "industry_code"):
        grid = coding.grid("period", code)
        cell = grid.index() * slots + pl.col("grade").fill_null(0).cast(pl.Int64)
        counts = frame.group_by(cell.alias("_cell")).agg(pl.len().alias("_count"))
        plans.append(
            counts.group_by((pl.col("_cell") // slots).alias("_position"))
            .agg(
                pl.col("_count").filter(pl.col("_cell") % slots > 0).sum().alias("rated_count"),
                *(
                    pl.col("_count").filter(pl.col("_cell") % slots == g).sum().alias(f"grade_{g}_count")
                    for g in range(1, MAX_GRADE + 1)
                ),
            )
            .select(*grid.decode(pl.col("_position")), pl.col(GRADE_COUNTS).cast(pl.UInt32))
        )
    return plans
