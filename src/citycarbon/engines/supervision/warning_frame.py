"""The common shape of warnings produced by every rule, and the severity expression of a rule.

Every rule returns a frame of ``WARNING_SCHEMA``: who and what the warning is about, the value
compared with the rule's thresholds (``measured``), the severity it reached, the evidence (typed
name/value/unit entries) and ``fingerprint_key``, the text whose SHA-256 is the warning's
identity. The key names the rule, its version and the subject (outlet and day, organisation and
period …), never the time of evaluation, so re-running a rule finds the same warnings again.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from citycarbon.domain.supervision.warning_rules import WarningRule

UTC_US = pl.Datetime("us", "UTC")
EVIDENCE = pl.Struct(
    {"name": pl.String, "value_number": pl.Float64, "value_text": pl.String, "unit": pl.String}
)
WARNING_SCHEMA: dict[str, pl.DataType] = {
    "rule_id": pl.String(),
    "rule_version": pl.String(),
    "kind": pl.String(),
    "severity": pl.String(),
    "organisation_id": pl.Int64(),
    "site_id": pl.Int64(),
    "outlet_id": pl.Int64(),
    "pollutant_code": pl.String(),
    "period_code": pl.String(),
    "window_start_at": UTC_US,
    "window_end_at": UTC_US,
    "measured": pl.Float64(),
    "threshold": pl.Float64(),
    "fingerprint_key": pl.String(),
    "evidence": pl.List(EVIDENCE),
}


#: A value must exceed a threshold by more than floating-point rounding: 130 / 100 − 1 is
#: 0.30000000000000004, which is not "more than 30 %".
RELATIVE_TOLERANCE = 1e-9


def above(measured: pl.Expr, threshold: float) -> pl.Expr:
    """``measured`` > ``threshold``, ignoring differences within rounding."""
    return measured > threshold + RELATIVE_TOLERANCE * max(1.0, abs(threshold))


def severity_expr(rule: WarningRule, measured: pl.Expr) -> pl.Expr:
    """Highest severity whose threshold ``measured`` exceeds (null below the lowest)."""
    expr: pl.Expr = pl.lit(None, pl.String)
    for severity, threshold in rule.tiers:  # a handful of tiers, not rows
        expr = pl.when(above(measured, threshold)).then(pl.lit(severity)).otherwise(expr)
    return expr


def threshold_expr(rule: WarningRule, measured: pl.Expr) -> pl.Expr:
    """Threshold of the severity reached (evidence of why that severity)."""
    expr: pl.Expr = pl.lit(None, pl.Float64)
    for _, threshold in rule.tiers:
        expr = pl.when(above(measured, threshold)).then(pl.lit(threshold)).otherwise(expr)
    return expr


def number(name: str, value: pl.Expr, unit: str | None = None) -> pl.Expr:
    """An evidence entry holding a number."""
    return pl.struct(
        pl.lit(name).alias("name"),
        value.cast(pl.Float64).alias("value_number"),
        pl.lit(None, pl.String).alias("value_text"),
        pl.lit(unit, pl.String).alias("unit"),
    )


def text(name: str, value: pl.Expr) -> pl.Expr:
    """An evidence entry holding a code or a time."""
    return pl.struct(
        pl.lit(name).alias("name"),
        pl.lit(None, pl.Float64).alias("value_number"),
        value.cast(pl.String).alias("value_text"),
        pl.lit(None, pl.String).alias("unit"),
    )


def finish(
    frame: pl.LazyFrame,
    rule: WarningRule,
    measured: pl.Expr,
    subject: list[pl.Expr],
    evidence: list[pl.Expr],
    columns: Mapping[str, pl.Expr],
) -> pl.LazyFrame:
    """Keep rows above the rule's lowest threshold and shape them as ``WARNING_SCHEMA``.

    Parameters
    ----------
    frame
        One row per candidate warning.
    rule
        The rule; its id and version start the fingerprint key.
    measured
        The value compared with the thresholds.
    subject
        Expressions that identify what the warning is about (part of the fingerprint key).
    evidence
        Evidence entries (:func:`number`, :func:`text`).
    columns
        Values of the other ``WARNING_SCHEMA`` columns (missing ones are null).

    """
    key = pl.concat_str(
        [
            pl.lit(rule.rule_id),
            pl.lit(rule.rule_version),
            *(part.cast(pl.String).fill_null("") for part in subject),
        ],
        separator="|",
    )
    shaped = {
        "rule_id": pl.lit(rule.rule_id),
        "rule_version": pl.lit(rule.rule_version),
        "kind": pl.lit(rule.kind),
        "severity": severity_expr(rule, measured),
        "measured": measured,
        "threshold": threshold_expr(rule, measured),
        "fingerprint_key": key,
        "evidence": pl.concat_list(evidence),
        **columns,
    }
    return frame.filter(above(measured, rule.lowest_threshold)).select(
        shaped.get(name, pl.lit(None)).cast(dtype).alias(name) for name, dtype in WARNING_SCHEMA.items()
    )


def empty_warnings() -> pl.LazyFrame:
    """A frame of ``WARNING_SCHEMA`` without rows."""
    return pl.LazyFrame(schema=WARNING_SCHEMA)
