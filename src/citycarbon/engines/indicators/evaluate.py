"""Evaluate an indicator tree for the entities of one level and one period, column-wise in Polars.

Input is a facts frame with one row per entity (a district, a city, a park or an enterprise)
and one column per data field; output is one row per entity and node. The steps, each a set of
column expressions over all entities at once:

1. **Leaf values** — each formula compiled to a Polars expression; division by zero and
   other non-finite results become missing.
2. **Missing data** — per indicator, one rule: ``exclude`` (leave it out and renormalise the
   siblings' weights), ``worst`` (the worst value observed among the entities), ``carry_last``
   (the entity's raw value of the previous evaluation, from ``previous``), ``region_median``
   (median of the entities with the same ``peer_group``). When a rule cannot supply a value
   (no history, no peer with data) the indicator is excluded; ``missing_rule`` records which
   rule actually applied.
3. **Normalisation** across the entities of the level: min–max → [0, 1]; z-score (population
   standard deviation); distance to target → 1 at or beyond the target, falling linearly to 0
   at a relative shortfall of 100 %. Lower-is-better indicators are mirrored so that 1 is
   always best.
4. **Weights** of each aggregate's children (fixed, or entropy weights from the data) and
   **aggregation** up the tree: weighted arithmetic or geometric mean over the children that
   have a value, their weights renormalised to sum to 1.
5. **Scores** (value × the definition's scale) and **ranks** (1 = best, ties share the rank).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import polars as pl

from citycarbon.domain.indicators.definition import Aggregate, Indicator, IndicatorTree
from citycarbon.domain.indicators.expressions import Expr, FieldRef, Negate, Number

ENTITY = "entity_id"
PEER_GROUP = "peer_group"
SCORE_SCHEMA = {
    ENTITY: pl.Utf8,
    "node_id": pl.Utf8,
    "raw_value": pl.Float64,
    "value": pl.Float64,
    "score": pl.Float64,
    "rank": pl.Int64,
    "missing_rule": pl.Utf8,
}


@dataclass(frozen=True)
class Evaluation:
    """Result of one evaluation.

    Parameters
    ----------
    scores
        One row per entity and node: ``raw_value`` (indicators only, after the missing-data
        rule), ``value`` (normalised / aggregated), ``score`` (value × scale), ``rank`` and
        ``missing_rule`` (null when the value was present).
    weights
        One row per non-root node: ``node_id``, ``parent_id``, ``weight`` (nominal weight in
        its parent before renormalisation) and ``method``.

    """

    scores: pl.DataFrame
    weights: pl.DataFrame


def compile_formula(expr: Expr) -> pl.Expr:
    """Translate a parsed formula into a Polars expression over the facts columns."""
    if isinstance(expr, FieldRef):
        return pl.col(expr.name).cast(pl.Float64)
    if isinstance(expr, Number):
        return pl.lit(expr.value, dtype=pl.Float64)
    if isinstance(expr, Negate):
        return -compile_formula(expr.operand)
    left, right = compile_formula(expr.left), compile_formula(expr.right)
    return {"+": left + right, "-": left - right, "*": left * right, "/": left / right}[expr.op]


def _finite(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr.is_finite()).then(expr).otherwise(None)


def _raw(node: str) -> str:
    return f"raw::{node}"


def _rule(node: str) -> str:
    return f"rule::{node}"


def _val(node: str) -> str:
    return f"val::{node}"


def _fill_missing(
    frame: pl.DataFrame, leaves: list[Indicator], previous: pl.DataFrame | None
) -> pl.DataFrame:
    carried = [leaf.id for leaf in leaves if leaf.missing == "carry_last"]
    if carried and previous is not None and previous.height:
        wide = (
            previous.filter(pl.col("node_id").is_in(carried))
            .pivot(on="node_id", index=ENTITY, values="raw_value", aggregate_function="first")
            .rename(lambda name: name if name == ENTITY else f"prev::{name}")
        )
        frame = frame.join(wide, on=ENTITY, how="left")
    filled: list[pl.Expr] = []
    rules: list[pl.Expr] = []
    for leaf in leaves:
        raw = pl.col(_raw(leaf.id))
        if leaf.missing == "worst":
            substitute = raw.min() if leaf.direction == "higher_is_better" else raw.max()
        elif leaf.missing == "region_median":
            substitute = raw.median().over(PEER_GROUP) if PEER_GROUP in frame.columns else pl.lit(None)
        elif leaf.missing == "carry_last" and f"prev::{leaf.id}" in frame.columns:
            substitute = pl.col(f"prev::{leaf.id}")
        else:
            substitute = pl.lit(None, dtype=pl.Float64)
        value = raw.fill_null(substitute.cast(pl.Float64))
        filled.append(value.alias(_raw(leaf.id)))
        rules.append(
            pl.when(raw.is_not_null())
            .then(pl.lit(None, dtype=pl.Utf8))
            .when(value.is_not_null())
            .then(pl.lit(leaf.missing))
            .otherwise(pl.lit("exclude"))
            .alias(_rule(leaf.id))
        )
    return frame.with_columns(*rules).with_columns(*filled)


def _normalise(leaf: Indicator) -> pl.Expr:
    x = pl.col(_raw(leaf.id))
    lower = leaf.direction == "lower_is_better"
    if leaf.normalisation == "min_max":
        low, high = x.min(), x.max()
        spread = high - low
        scaled = ((high - x) if lower else (x - low)) / spread
        # Every entity equal: nobody is behind anybody, so all get the best value.
        return pl.when(x.is_null()).then(None).when(spread == 0).then(1.0).otherwise(scaled)
    if leaf.normalisation == "z_score":
        std = x.std(ddof=0)
        z = (x - x.mean()) / std
        return pl.when(x.is_null()).then(None).when(std == 0).then(0.0).otherwise(-z if lower else z)
    target = float(leaf.target or 0.0)
    shortfall = ((x - target) if lower else (target - x)) / abs(target)
    return (1.0 - shortfall.clip(lower_bound=0.0)).clip(lower_bound=0.0)


def entropy_weights(frame: pl.DataFrame, columns: list[str]) -> list[float]:
    """Entropy weights of ``columns`` (non-negative values) across the rows of ``frame``.

    p_ij = x_ij / Σ_i x_ij, e_j = −Σ_i p_ij ln p_ij / ln n, d_j = 1 − e_j, w_j = d_j / Σ d; with
    0 · ln 0 = 0, n the rows with a value. Columns that carry no information (all equal, or
    fewer than two values) get d_j = 0; when every d_j is 0 the weights are equal.

    References
    ----------
    Zou, Z., Yun, Y., Sun, J. (2006). Entropy method for determination of weight of evaluating
    indicators in fuzzy synthetic evaluation for water quality assessment. *Journal of
    Environmental Sciences* 18(5), 1020–1023.

    """
    divergences = []
    sums = frame.select(*(pl.col(c).sum().alias(c) for c in columns)).row(0, named=True)
    counts = frame.select(*(pl.col(c).count().alias(c) for c in columns)).row(0, named=True)
    terms = []
    for column in columns:
        p = pl.col(column) / (sums[column] or 1.0)
        terms.append(pl.when(p > 0).then(p * p.log()).otherwise(0.0).sum().alias(column))
    plogp = frame.select(terms).row(0, named=True)
    for column in columns:
        count, total = counts[column], sums[column]
        if count < 2 or not total:
            divergences.append(0.0)
            continue
        entropy = -plogp[column] / math.log(count)
        divergences.append(max(0.0, 1.0 - entropy))
    scale = math.fsum(divergences)
    if scale <= 0:
        return [1.0 / len(columns)] * len(columns)
    return [d / scale for d in divergences]


def _aggregate(node: Aggregate, weights: list[float]) -> pl.Expr:
    values = [pl.col(_val(child)) for child in node.children]
    present = [w * v.is_not_null().cast(pl.Float64) for w, v in zip(weights, values, strict=True)]
    denominator = pl.sum_horizontal(present)
    if node.aggregation == "geometric":
        logs = [w * v.log() for w, v in zip(weights, values, strict=True)]
        numerator = pl.sum_horizontal(logs)
        combined = (numerator / denominator).exp()
    else:
        numerator = pl.sum_horizontal([w * v for w, v in zip(weights, values, strict=True)])
        combined = numerator / denominator
    return pl.when(denominator > 0).then(combined).otherwise(None).alias(_val(node.id))


def evaluate_tree(
    tree: IndicatorTree, facts: pl.DataFrame, previous: pl.DataFrame | None = None
) -> Evaluation:
    """Evaluate ``tree`` for every entity (row) of ``facts``.

    Parameters
    ----------
    tree
        A validated indicator tree.
    facts
        ``entity_id`` (Utf8), optionally ``peer_group`` (Utf8, for ``region_median``), and one
        Float64 column per data field the formulas use (missing columns count as no data).
    previous
        Raw indicator values of the previous evaluation, ``entity_id``, ``node_id``,
        ``raw_value``; used by ``carry_last``.

    """
    leaves = tree.indicators()
    needed = sorted({name for leaf in leaves for name in leaf.formula.fields})
    absent = [name for name in needed if name not in facts.columns]
    frame = facts.with_columns(
        pl.col(ENTITY).cast(pl.Utf8), *(pl.lit(None, dtype=pl.Float64).alias(n) for n in absent)
    )
    frame = frame.with_columns(
        *(_finite(compile_formula(leaf.formula.tree)).alias(_raw(leaf.id)) for leaf in leaves)
    )
    frame = _fill_missing(frame, leaves, previous)
    frame = frame.with_columns(*(_normalise(leaf).alias(_val(leaf.id)) for leaf in leaves))
    weight_rows: list[dict[str, object]] = []
    for node in tree.bottom_up():
        weights = (
            list(node.weights)
            if node.weights is not None
            else entropy_weights(frame, [_val(c) for c in node.children])
        )
        weight_rows.extend(
            {"node_id": child, "parent_id": node.id, "weight": weight, "method": node.weighting}
            for child, weight in zip(node.children, weights, strict=True)
        )
        frame = frame.with_columns(_aggregate(node, weights))
    return Evaluation(
        _long_scores(tree, frame),
        pl.DataFrame(
            weight_rows,
            schema={"node_id": pl.Utf8, "parent_id": pl.Utf8, "weight": pl.Float64, "method": pl.Utf8},
        ),
    )


def _long_scores(tree: IndicatorTree, frame: pl.DataFrame) -> pl.DataFrame:
    parts = []
    for node_id, node in tree.nodes.items():
        value = pl.col(_val(node_id))
        is_leaf = isinstance(node, Indicator)
        parts.append(
            frame.select(
                pl.col(ENTITY),
                pl.lit(node_id).alias("node_id"),
                (pl.col(_raw(node_id)) if is_leaf else pl.lit(None, dtype=pl.Float64)).alias("raw_value"),
                value.alias("value"),
                (value * tree.scale).alias("score"),
                value.rank(method="min", descending=True).cast(pl.Int64).alias("rank"),
                (
                    pl.col(_rule(node_id))
                    if is_leaf
                    else pl.when(value.is_null())
                    .then(pl.lit("exclude"))
                    .otherwise(pl.lit(None, dtype=pl.Utf8))
                ).alias("missing_rule"),
            )
        )
    return pl.concat(parts).cast(SCORE_SCHEMA)  # type: ignore[arg-type]
