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
from citycarbon.engines.efficiency.codes import Coding
from citycarbon.engines.efficiency.relative import earlier_positions, shift_period

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


def _rule_entries(frame: pl.LazyFrame, rule: WatchRule, coding: Coding) -> pl.LazyFrame:
    condition = pl.lit(True)
    threshold: pl.Expr = pl.lit(None, dtype=pl.Float64)
    if rule.min_energy_tce is not None:
        condition = condition & (pl.col("energy_tce") >= rule.min_energy_tce)
    if rule.grades:
        condition = condition & pl.col("grade").is_in(list(rule.grades))
    if rule.max_output_per_mu_percentile is not None:
        scope = coding.grid("period", *_SCOPE[rule.percentile_scope]).index()
        quantile = rule.max_output_per_mu_percentile / 100
        threshold = pl.col("output_per_mu_10k_cny").quantile(quantile, "linear").over(scope)
        condition = condition & (pl.col("output_per_mu_10k_cny") <= pl.col("output_per_mu_threshold_10k_cny"))
    return (
        frame.with_columns(threshold.alias("output_per_mu_threshold_10k_cny"))
        .filter(condition.fill_null(False))
        .with_columns(pl.lit(rule.rule_code).alias("rule_code"))
        .select(ENTRY_COLUMNS)
    )


#: Columns and types of :func:`track_movement`'s result.
WATCHLIST_SCHEMA = {
    "organisation_id": pl.Int64,
    "period": pl.String,
    "rule_code": pl.String,
    "energy_tce": pl.Float64,
    "grade": pl.Int32,
    "output_per_mu_10k_cny": pl.Float64,
    "output_per_mu_threshold_10k_cny": pl.Float64,
    "movement": pl.String,
}


def find_entries(frame: pl.LazyFrame, rules: Sequence[WatchRule], coding: Coding) -> pl.LazyFrame:
    """Plan of the entries of every rule for every period in ``frame`` (``_rule`` is the rule's index)."""
    if not rules:
        return pl.LazyFrame(schema={**{c: WATCHLIST_SCHEMA[c] for c in ENTRY_COLUMNS}, "_rule": pl.Int32})
    return pl.concat(
        _rule_entries(frame, rule, coding).with_columns(pl.lit(i, dtype=pl.Int32).alias("_rule"))
        for i, rule in enumerate(rules)
    )


def track_movement(entries: pl.DataFrame, rules: Sequence[WatchRule], coding: Coding) -> pl.DataFrame:
    """The entries of :func:`find_entries` with their movement year on year.

    Returns
    -------
    DataFrame
        :data:`ENTRY_COLUMNS` plus ``movement``: ``entered``, ``stayed``, or ``left`` (on the
        list a year earlier but not now; values are then those of the earlier period). Null when
        the earlier period is not rated, so movement is unknown rather than guessed.

    """
    if not rules:
        return pl.DataFrame(schema=WATCHLIST_SCHEMA)
    # One Int64 key per (organisation, rule, period index); a year earlier or later is the same
    # key with another period index, so movement is a set lookup instead of a string join.
    earlier = earlier_positions(coding)
    later = {before: number for number, before in earlier.items() if before is not None}
    count = len(coding.periods) - 1
    position = pl.col("period").to_physical().cast(pl.Int64)
    slot = (pl.col("organisation_id") * len(rules) + pl.col("_rule")) * count
    keyed = entries.lazy().with_columns((slot + position).alias("_key")).collect()
    listed = keyed["_key"].implode()
    before = slot + shift_period(earlier, count)
    current = keyed.lazy().with_columns(
        pl.when(before.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(before.is_in(listed))
        .then(pl.lit("stayed"))
        .otherwise(pl.lit("entered"))
        .alias("movement")
    )
    next_position = shift_period(later, count)
    left = (
        keyed.lazy()
        .filter(next_position.is_not_null() & ~(slot + next_position).is_in(listed))
        .with_columns(
            pl.lit(coding.periods).gather(next_position).alias("period"), pl.lit("left").alias("movement")
        )
    )
    # Sorted before the period becomes text: Enum periods and rule ranks compare as integers,
    # in the same order as the text would.
    ranks = {code: number for number, code in enumerate(sorted(rule.rule_code for rule in rules))}
    by_code = pl.Series([ranks[rule.rule_code] for rule in rules], dtype=pl.Int32)
    columns = list(WATCHLIST_SCHEMA)
    return (
        pl.concat([current.select(*columns, "_rule"), left.select(*columns, "_rule")])
        .sort("period", pl.lit(by_code).gather(pl.col("_rule")), "organisation_id")
        .select(columns)
        .cast(WATCHLIST_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )
