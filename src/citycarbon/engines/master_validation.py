"""Validate organisation and production tables (master data and the denominators of intensity).

Like activity validation, checks that need Python (check digits, code catalogues) run once
per distinct value; everything else is a column expression.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from citycarbon.domain.errors import Problem
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.domain.ledger.period import parse_period
from citycarbon.engines.cell_checks import MSG_NOT_A_NUMBER, missing_values, problems_where, resolve_each
from citycarbon.engines.numbers import parse_number
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue

MSG_NEGATIVE_VALUE = "Must not be negative (got {value})"
MSG_UNKNOWN_KIND = (
    "Unknown organisation type '{value}'; use enterprise, individual_business or park (企业/个体工商户/园区)"
)
MSG_DUPLICATE_ORG = "Credit code {uscc} appears again (first in row {first})"
MSG_DUPLICATE_PRODUCTION = "Duplicate of row {first}: same organisation, period and product"
MSG_PRODUCT_UNIT = "A product output needs its unit"

KINDS = {
    "enterprise": "enterprise",
    "企业": "enterprise",
    "individual_business": "individual_business",
    "个体工商户": "individual_business",
    "个体": "individual_business",
    "park": "park",
    "园区": "park",
}


@dataclass(frozen=True)
class Checked:
    """A typed table and every problem found in it."""

    frame: pl.DataFrame
    problems: list[Problem]


def _numbers(
    frame: pl.DataFrame, columns: tuple[str, ...], header: dict[str, str], non_negative: tuple[str, ...]
) -> tuple[pl.DataFrame, list[Problem]]:
    problems: list[Problem] = []
    for column in columns:
        parsed = parse_number(column)
        frame = frame.with_columns(parsed.alias(f"{column}__num"))
        num = pl.col(f"{column}__num")
        invalid = pl.col(column).is_not_null() & (num.is_null() | ~num.is_finite())
        problems += problems_where(frame, invalid, column, MSG_NOT_A_NUMBER, header, value=column)
        if column in non_negative:
            problems += problems_where(frame, num < 0, column, MSG_NEGATIVE_VALUE, header, value=column)
    return frame, problems


def validate_organisations(raw: pl.DataFrame, header: dict[str, str]) -> Checked:
    """Check credit codes (legacy override when a reason is given), industry, region, kind, area."""
    frame = raw.with_columns(pl.col("legacy_uscc_reason").is_not_null().alias("legacy"))
    problems = missing_values(frame, ("uscc", "name", "industry_code", "region_code"), header)
    legacy = set(frame.filter("legacy")["uscc"].drop_nulls().to_list())
    frame, more = resolve_each(
        frame, "uscc", lambda v: validate_uscc(v, allow_legacy=v in legacy), header, "uscc_ok"
    )
    problems += more
    industries, regions = load_industry_catalogue(), load_region_catalogue()
    frame, more = resolve_each(
        frame, "industry_code", lambda v: industries.validate(v).code, header, "industry_ok"
    )
    problems += more
    frame, more = resolve_each(frame, "region_code", lambda v: regions.validate(v).code, header, "region_ok")
    problems += more
    frame = frame.with_columns(
        pl.col("kind")
        .fill_null("enterprise")
        .str.to_lowercase()
        .replace_strict(KINDS, default=None, return_dtype=pl.String)
        .alias("kind_ok")
    )
    unknown_kind = pl.col("kind").is_not_null() & pl.col("kind_ok").is_null()
    problems += problems_where(frame, unknown_kind, "kind", MSG_UNKNOWN_KIND, header, value="kind")
    frame, more = _numbers(frame, ("area_mu",), header, ("area_mu",))
    problems += more
    first = frame.with_columns(pl.col("row_number").min().over("uscc_ok").alias("first")).filter(
        pl.col("uscc_ok").is_not_null() & (pl.col("row_number") != pl.col("first"))
    )
    problems += [
        Problem(MSG_DUPLICATE_ORG, row=r, column=header.get("uscc", "uscc"), params={"uscc": u, "first": f})
        for r, u, f in first.select("row_number", "uscc_ok", "first").iter_rows()
    ]
    typed = frame.select(
        pl.col("uscc_ok").alias("uscc"),
        "name",
        pl.col("kind_ok").alias("kind"),
        pl.col("industry_ok").alias("industry_code"),
        pl.col("region_ok").alias("region_code"),
        pl.col("area_mu__num").alias("area_mu"),
        "legacy_uscc_reason",
        "row_number",
    )
    return Checked(typed, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))


def validate_production(raw: pl.DataFrame, header: dict[str, str]) -> Checked:
    """Check output value, value added and product output of each organisation and period.

    Value added may be negative (a loss-making period), so only output values must be ≥ 0.
    """
    problems = missing_values(raw, ("uscc", "period"), header)
    frame, more = resolve_each(raw, "uscc", validate_uscc, header, "uscc_ok")
    problems += more
    frame, more = resolve_each(frame, "period", lambda v: parse_period(v).code, header, "period_ok")
    problems += more
    numeric = ("output_value_10k_cny", "value_added_10k_cny", "product_output")
    frame, more = _numbers(frame, numeric, header, ("output_value_10k_cny", "product_output"))
    problems += more
    problems += problems_where(
        frame,
        pl.col("product_output").is_not_null() & pl.col("product_unit").is_null(),
        "product_unit",
        MSG_PRODUCT_UNIT,
        header,
    )
    frame = frame.with_columns(pl.col("product_code").fill_null(""))
    key = ["uscc_ok", "period_ok", "product_code"]
    dupes = frame.drop_nulls(["uscc_ok", "period_ok"]).with_columns(
        pl.col("row_number").min().over(key).alias("first")
    )
    problems += [
        Problem(MSG_DUPLICATE_PRODUCTION, row=r, params={"first": f})
        for r, f in dupes.filter(pl.col("row_number") != pl.col("first"))
        .select("row_number", "first")
        .iter_rows()
    ]
    typed = frame.select(
        pl.col("uscc_ok").alias("uscc"),
        pl.col("period_ok").alias("period"),
        *(pl.col(f"{c}__num").alias(c) for c in numeric),
        "product_code",
        "product_unit",
        "row_number",
    )
    return Checked(typed, sorted(problems, key=lambda p: (p.row or 0, p.column or "")))
