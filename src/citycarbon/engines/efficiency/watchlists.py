"""Watch-lists of high-consumption / low-efficiency enterprises by configurable rules.

Each rule is a conjunction of optional conditions (energy at or above a threshold, grade among
some ranks, output per mu at or below a percentile of the firm's region). An entry records the
rule that put the firm there and the values it was judged on, and whether the firm entered the
list this period, stayed on it, or left it, compared with the same period a year earlier.

References
----------
Taizhou list of high-consumption / low-efficiency enterprises and 亩均效益 evaluation (seed 004).

"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from citycarbon.domain.efficiency.settings import WatchRule
from citycarbon.engines.efficiency.grades import earlier_period_code

ENTRY_COLUMNS = (
    "organisation_id",
    "period",
    "rule_code",
    "energy_tce",
    "grade",
    "output_per_mu_10k_cny",
    "output_per_mu_threshold_10k_cny",
)
_SCOPE = {"all": [], "prefecture": ["prefecture_code"], "county": ["county_code"]}


def _rule_entries(frame: pl.LazyFrame, rule: WatchRule) -> pl.LazyFrame:
    condition = pl.lit(True)
    threshold: pl.Expr = pl.lit(None, dtype=pl.Float64)
    if rule.min_energy_tce is not None:
        condition = condition & (pl.col("energy_tce") >= rule.min_energy_tce)
    if rule.grades:
        condition = condition & pl.col("grade").is_in(list(rule.grades))
    if rule.max_output_per_mu_percentile is not None:
        scope = ["period", *_SCOPE[rule.percentile_scope]]
        quantile = rule.max_output_per_mu_percentile / 100
        threshold = pl.col("output_per_mu_10k_cny").quantile(quantile, "linear").over(scope)
        condition = condition & (pl.col("output_per_mu_10k_cny") <= threshold)
    return (
        frame.with_columns(threshold.alias("output_per_mu_threshold_10k_cny"))
        .filter(condition.fill_null(False))
        .with_columns(pl.lit(rule.rule_code).alias("rule_code"))
        .select(ENTRY_COLUMNS)
    )


def apply_watch_rules(frame: pl.LazyFrame, rules: Sequence[WatchRule]) -> pl.DataFrame:
    """Entries of every rule for every period in ``frame``, with movement year on year.

    Returns
    -------
    DataFrame
        :data:`ENTRY_COLUMNS` plus ``movement``: ``entered``, ``stayed``, or ``left`` (on the
        list a year earlier but not now; values are then those of the earlier period). Null when
        the earlier period is not in ``frame``, so movement is unknown rather than guessed.

    """
    schema = {
        "organisation_id": pl.Int64,
        "period": pl.String,
        "rule_code": pl.String,
        "energy_tce": pl.Float64,
        "grade": pl.Int32,
        "output_per_mu_10k_cny": pl.Float64,
        "output_per_mu_threshold_10k_cny": pl.Float64,
    }
    if not rules:
        return pl.DataFrame(schema={**schema, "movement": pl.String})
    entries = pl.concat([_rule_entries(frame, rule) for rule in rules]).collect()
    entries = entries.cast(schema)  # type: ignore[arg-type]
    periods = frame.select(pl.col("period").cast(pl.String)).unique().collect()["period"]
    key = ["organisation_id", "rule_code"]
    with_earlier = entries.with_columns(earlier_period_code(pl.col("period")).alias("_earlier"))
    earlier = entries.select(*key, pl.col("period").alias("_earlier"), pl.lit(True).alias("_was"))
    current = with_earlier.join(earlier, on=[*key, "_earlier"], how="left").with_columns(
        pl.when(~pl.col("_earlier").is_in(periods.implode()))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col("_was").fill_null(False))
        .then(pl.lit("stayed"))
        .otherwise(pl.lit("entered"))
        .alias("movement")
    )
    later = entries.with_columns(
        pl.concat_str(
            (pl.col("period").str.slice(0, 4).cast(pl.Int32) + 1).cast(pl.String),
            pl.col("period").str.slice(4),
        ).alias("_later")
    )
    left = (
        later.filter(pl.col("_later").is_in(periods.implode()))
        .join(entries.select(*key, pl.col("period").alias("_later")), on=[*key, "_later"], how="anti")
        .with_columns(pl.col("_later").alias("period"), pl.lit("left").alias("movement"))
    )
    columns = [*ENTRY_COLUMNS, "movement"]
    return pl.concat([current.select(columns), left.select(columns)]).sort(
        "period", "rule_code", "organisation_id"
    )
