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
from citycarbon.engines.efficiency.relative import (
    earlier_positions,
    later_positions,
    other_period,
    shift_period,
)

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
#: Rules are bits of one UInt64 per firm (the top bit unused, so every bit is a positive literal),
#: so a firm's lists a year earlier are one lookup.
MAX_RULES = 63

#: Columns and types of :func:`list_firms`' result.
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


def _threshold(rule: WatchRule, coding: Coding) -> pl.Expr:
    """Each firm's output-per-mu threshold under ``rule`` (the percentile of its scope), or null."""
    if rule.max_output_per_mu_percentile is None:
        return pl.lit(None, dtype=pl.Float64)
    scope = coding.grid("period", *_SCOPE[rule.percentile_scope]).index()
    quantile = rule.max_output_per_mu_percentile / 100
    return pl.col("output_per_mu_10k_cny").quantile(quantile, "linear").over(scope)


def _threshold_columns(rules: Sequence[WatchRule]) -> list[str]:
    """The column of each rule's threshold, between :func:`judge` and :func:`list_firms`."""
    return [f"_threshold_{i}" for i in range(len(rules))]


def _condition(rule: WatchRule, threshold: str) -> pl.Expr:
    """Whether a firm meets every condition of ``rule`` (unknown values do not qualify)."""
    condition = pl.lit(True)
    if rule.min_energy_tce is not None:
        condition = condition & (pl.col("energy_tce") >= rule.min_energy_tce)
    if rule.grades:
        condition = condition & pl.col("grade").is_in(list(rule.grades))
    if rule.max_output_per_mu_percentile is not None:
        condition = condition & (pl.col("output_per_mu_10k_cny") <= pl.col(threshold))
    return condition.fill_null(False)


def judge(graded: pl.LazyFrame, rules: Sequence[WatchRule], coding: Coding) -> pl.LazyFrame:
    """Plan of the firms on at least one list: their judged values and ``_mask`` (bit i: rule i).

    Every firm is judged once against every rule; only listed firms (a tenth or so) go on to
    :func:`list_firms`, whose year-on-year lookups then run among the listed only.
    """
    if len(rules) > MAX_RULES:
        raise ValueError(f"at most {MAX_RULES} watch-list rules can be applied at once")
    thresholds = _threshold_columns(rules)
    judged = graded.select(
        "organisation_id",
        "period",
        "energy_tce",
        "grade",
        "output_per_mu_10k_cny",
        *(_threshold(rule, coding).alias(name) for rule, name in zip(rules, thresholds, strict=True)),
    )
    bits = [
        _condition(rule, name).cast(pl.UInt64) * (1 << i)
        for i, (rule, name) in enumerate(zip(rules, thresholds, strict=True))
    ]
    mask = pl.sum_horizontal(bits) if bits else pl.lit(0, dtype=pl.UInt64)
    return judged.with_columns(mask.alias("_mask")).filter(pl.col("_mask") > 0)


def list_firms(
    listed: pl.DataFrame, rules: Sequence[WatchRule], coding: Coding, population: int
) -> pl.DataFrame:
    """Every rule's entries for every period, with their movement year on year.

    ``listed`` is the collected plan of :func:`judge`; ``population`` the number of firm-periods
    judged (it sizes the dense year-on-year lookup).

    Returns
    -------
    DataFrame
        :data:`ENTRY_COLUMNS` plus ``movement``: ``entered``, ``stayed``, or ``left`` (on the
        list a year earlier but not now; values are then those of the earlier period). Null when
        the earlier period is not rated, so movement is unknown rather than guessed.

    """
    if not rules or listed.is_empty():
        return pl.DataFrame(schema=WATCHLIST_SCHEMA)
    thresholds = _threshold_columns(rules)
    frame = listed
    count = len(coding.periods) - 1
    mask = pl.col("_mask")
    frame = frame.with_columns(
        other_period(frame, mask, earlier_positions(coding), coding, population)
        .fill_null(0)
        .alias("_earlier"),
        other_period(frame, mask, later_positions(coding), coding, population).fill_null(0).alias("_later"),
        shift_period(earlier_positions(coding), count).alias("_earlier_period"),
        shift_period(later_positions(coding), count).alias("_later_period"),
    )
    parts = []
    for i, (rule, name) in enumerate(zip(rules, thresholds, strict=True)):
        bit = 1 << i
        on = (pl.col("_mask") & bit) != 0
        common = [
            pl.lit(rule.rule_code).alias("rule_code"),
            pl.col(name).alias("output_per_mu_threshold_10k_cny"),
            pl.lit(i, dtype=pl.Int32).alias("_rule"),
        ]
        parts.append(
            frame.lazy()
            .filter(on)
            .with_columns(
                *common,
                pl.when(pl.col("_earlier_period").is_null())
                .then(pl.lit(None, dtype=pl.String))
                .when((pl.col("_earlier") & bit) != 0)
                .then(pl.lit("stayed"))
                .otherwise(pl.lit("entered"))
                .alias("movement"),
            )
        )
        parts.append(
            frame.lazy()
            .filter(on & pl.col("_later_period").is_not_null() & ((pl.col("_later") & bit) == 0))
            .with_columns(
                *common,
                pl.lit(coding.periods).gather(pl.col("_later_period")).alias("period"),
                pl.lit("left").alias("movement"),
            )
        )
    # Sorted on one integer made of period, rule code rank and organisation id before the period
    # becomes text: Enum periods compare as integers, in the same order as the text would.
    ranks = {code: number for number, code in enumerate(sorted(rule.rule_code for rule in rules))}
    by_code = pl.Series([ranks[rule.rule_code] for rule in rules], dtype=pl.Int64)
    low, high = frame["organisation_id"].min(), frame["organisation_id"].max()
    span = int(high) - int(low) + 1  # type: ignore[arg-type]
    order = (
        pl.col("period").to_physical().cast(pl.Int64) * len(rules) + pl.lit(by_code).gather(pl.col("_rule"))
    ) * span + (pl.col("organisation_id") - low)
    columns = list(WATCHLIST_SCHEMA)
    return (
        pl.concat([part.select(*columns, "_rule") for part in parts])
        .sort(order)
        .select(columns)
        .cast(WATCHLIST_SCHEMA)  # type: ignore[arg-type]
        .collect()
    )
