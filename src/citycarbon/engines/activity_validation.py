"""Validate every cell of an activity table at once and type it for the accounting engine.

Checks run as column expressions; the expensive ones (credit-code check digits, period
parsing, item and unit resolution) run once per distinct value and are joined back, so a
million-row file costs a few thousand Python calls, not a million.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass

import polars as pl

from citycarbon.domain.errors import CityCarbonError, Problem
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.domain.ledger.categories import (
    ELECTRICITY_UNIT,
    HEAT_UNIT,
    PROCESS_UNIT,
    Category,
    energy_item_code,
    parse_category,
)
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.domain.ledger.period import parse_period
from citycarbon.domain.units import conversion_factor
from citycarbon.engines.cell_checks import MSG_NOT_A_NUMBER, missing_values, problems_where, resolve_each
from citycarbon.engines.numbers import parse_number

MSG_NEGATIVE = "Quantity must not be negative (got {value})"
MSG_UNKNOWN_CATEGORY = (
    "Unknown category '{value}'; use fuel, electricity, heat or process (燃料, 电力, 热力, 过程)"
)
MSG_UNKNOWN_ITEM = "Unknown {category} item '{value}'"
MSG_CERTIFICATE = "Green electricity needs the number of its green-electricity certificate"
MSG_DUPLICATE = "Duplicate of row {first}: same organisation, site, period, category and item"

REQUIRED = ("uscc", "period", "category", "item", "quantity", "unit")
KEY = ("uscc", "site", "period", "category", "item_code")


@dataclass(frozen=True)
class ValidatedActivity:
    """Typed rows ready for :func:`citycarbon.engines.accounting.account`, and all problems."""

    frame: pl.DataFrame
    problems: list[Problem]


def _item_resolver(book: FactorBook) -> Callable[[tuple[str, str]], str | None]:
    fuels, processes = book.fuel_by_name(), book.process_by_name()

    def resolve(pair: tuple[str, str]) -> str | None:
        category, text = Category(pair[0]), pair[1].strip().lower()
        if category is Category.FUEL:
            return fuels.get(text)
        if category is Category.PROCESS:
            return processes.get(text)
        return energy_item_code(category, text)

    return resolve


def canonical_unit(book: FactorBook, category: str, item_code: str) -> str:
    """Unit an item's quantity is accounted in (t or 10^4 Nm3 for fuels, MWh, GJ, t)."""
    if category == Category.FUEL:
        return book.fuels[item_code].activity_unit
    return {Category.ELECTRICITY: ELECTRICITY_UNIT, Category.HEAT: HEAT_UNIT}.get(
        Category(category), PROCESS_UNIT
    )


def validate_activity(
    raw: pl.DataFrame,
    book: FactorBook,
    header: dict[str, str] | None = None,
    legacy_codes: Collection[str] = (),
) -> ValidatedActivity:
    """Validate a raw activity table (strings plus ``row_number``) and type it.

    Parameters
    ----------
    raw
        Canonical columns as strings (see ``citycarbon.ingest``).
    book
        Factor book whose fuels and processes define the known items.
    header
        Canonical column → header as the user wrote it, so messages name the user's column.
    legacy_codes
        Credit codes registered with an explicit legacy override (they fail the check digit).
    """
    header = header or {}
    frame = raw.with_columns(
        [pl.lit(None, pl.String).alias(c) for c in ("site", "certificate") if c not in raw.columns]
    ).with_columns(pl.col("site").fill_null(""))
    problems: list[Problem] = []
    problems += missing_values(frame, REQUIRED, header)
    legacy = {code.strip().upper() for code in legacy_codes}
    frame, more = resolve_each(
        frame, "uscc", lambda v: validate_uscc(v, allow_legacy=v.strip().upper() in legacy), header, "uscc_ok"
    )
    problems += more
    frame, more = resolve_each(frame, "period", lambda v: parse_period(v).code, header, "period_code")
    problems += more
    frame, more = _resolve_items(frame, book, header)
    problems += more
    frame, more = _check_quantities(frame, book, header)
    problems += more
    typed = frame.select(
        pl.col("uscc_ok").alias("uscc"),
        "site",
        pl.col("period_code").alias("period"),
        pl.col("period_code").str.slice(0, 4).cast(pl.Int32, strict=False).alias("year"),
        pl.col("category_code").alias("category"),
        "item_code",
        pl.col("quantity_value").alias("quantity"),
        "unit",
        "certificate",
        "row_number",
    )
    problems += _duplicates(typed, header)
    problems.sort(key=lambda p: (p.row or 0, p.column or ""))
    return ValidatedActivity(typed if not problems else typed.clear(), problems)


def _resolve_items(
    frame: pl.DataFrame, book: FactorBook, header: dict[str, str]
) -> tuple[pl.DataFrame, list[Problem]]:
    categories = {
        v: (c.value if (c := parse_category(v)) else None) for v in frame["category"].drop_nulls().unique()
    }
    frame = frame.with_columns(
        pl.col("category")
        .replace_strict(categories, default=None, return_dtype=pl.String)
        .alias("category_code")
    )
    problems = problems_where(
        frame,
        pl.col("category").is_not_null() & pl.col("category_code").is_null(),
        "category",
        MSG_UNKNOWN_CATEGORY,
        header,
        value="category",
    )
    resolve = _item_resolver(book)
    pairs = frame.select("category_code", "item").drop_nulls().unique()
    items = pairs.with_columns(
        pl.Series("item_code", [resolve(p) for p in pairs.iter_rows()], dtype=pl.String)
    )
    frame = frame.join(items, on=["category_code", "item"], how="left", maintain_order="left")
    problems += problems_where(
        frame,
        pl.col("category_code").is_not_null() & pl.col("item").is_not_null() & pl.col("item_code").is_null(),
        "item",
        MSG_UNKNOWN_ITEM,
        header,
        value="item",
        category="category",
    )
    return frame, problems


def _check_quantities(
    frame: pl.DataFrame, book: FactorBook, header: dict[str, str]
) -> tuple[pl.DataFrame, list[Problem]]:
    frame = frame.with_columns(parse_number("quantity").alias("quantity_value"))
    finite = pl.col("quantity_value").is_finite()
    problems = problems_where(
        frame,
        pl.col("quantity").is_not_null() & (pl.col("quantity_value").is_null() | ~finite),
        "quantity",
        MSG_NOT_A_NUMBER,
        header,
        value="quantity",
    )
    problems += problems_where(
        frame, pl.col("quantity_value") < 0, "quantity", MSG_NEGATIVE, header, value="quantity"
    )
    green = (pl.col("category_code") == "electricity") & (pl.col("item_code") == "green")
    problems += problems_where(
        frame, green & pl.col("certificate").is_null(), "certificate", MSG_CERTIFICATE, header
    )
    triples = frame.select("category_code", "item_code", "unit").drop_nulls().unique()
    for category, item, unit in triples.iter_rows():
        try:
            conversion_factor(unit, canonical_unit(book, category, item))
        except CityCarbonError as error:
            mask = (
                (pl.col("category_code") == category)
                & (pl.col("item_code") == item)
                & (pl.col("unit") == unit)
            )
            problems += [
                Problem(error.message, row=r, column=header.get("unit", "unit"), params=error.params)
                for r in frame.filter(mask)["row_number"]
            ]
    return frame, problems


def _duplicates(typed: pl.DataFrame, header: dict[str, str]) -> list[Problem]:
    keyed = typed.drop_nulls(list(KEY)).with_columns(
        pl.col("row_number").min().over(list(KEY)).alias("first")
    )
    dupes = keyed.filter(pl.col("row_number") != pl.col("first"))
    return [
        Problem(MSG_DUPLICATE, row=row, params={"first": first})
        for row, first in dupes.select("row_number", "first").iter_rows()
    ]
