"""Activity categories, their scopes, Chinese names, and electricity and heat item names."""

from __future__ import annotations

import pytest

from citycarbon.domain.ledger.categories import (
    ELECTRICITY_UNIT,
    HEAT_UNIT,
    PROCESS_UNIT,
    Category,
    energy_item_code,
    is_export,
    parse_category,
)


@pytest.mark.parametrize(
    ("category", "scope"),
    [(Category.FUEL, 1), (Category.PROCESS, 1), (Category.ELECTRICITY, 2), (Category.HEAT, 2)],
)
def test_scopes(category: Category, scope: int) -> None:
    # GB/T 32150: combustion and process are direct; purchased electricity and heat indirect.
    assert category.scope == scope


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fuel", Category.FUEL),
        ("燃料", Category.FUEL),
        ("化石燃料", Category.FUEL),
        ("electricity", Category.ELECTRICITY),
        ("电力", Category.ELECTRICITY),
        ("电", Category.ELECTRICITY),
        ("heat", Category.HEAT),
        ("热力", Category.HEAT),
        ("热", Category.HEAT),
        ("process", Category.PROCESS),
        ("过程", Category.PROCESS),
        ("工业过程", Category.PROCESS),
        ("  Fuel ", Category.FUEL),
        ("ELECTRICITY", Category.ELECTRICITY),
    ],
)
def test_parse_category(text: str, expected: Category) -> None:
    assert parse_category(text) is expected


@pytest.mark.parametrize("text", ["", "gas", "燃气", "scope1", "fuels"])
def test_unknown_category_is_none(text: str) -> None:
    assert parse_category(text) is None


def test_category_values_are_the_canonical_codes() -> None:
    assert {c.value for c in Category} == {"fuel", "electricity", "heat", "process"}


@pytest.mark.parametrize(
    ("category", "text", "code"),
    [
        (Category.ELECTRICITY, "电力", "grid"),
        (Category.ELECTRICITY, "外购电力", "grid"),
        (Category.ELECTRICITY, "购入电力", "grid"),
        (Category.ELECTRICITY, "Grid", "grid"),
        (Category.ELECTRICITY, "绿电", "green"),
        (Category.ELECTRICITY, "绿色电力", "green"),
        (Category.ELECTRICITY, "输出电力", "export"),
        (Category.ELECTRICITY, "外供电力", "export"),
        (Category.HEAT, "蒸汽", "steam"),
        (Category.HEAT, "外购蒸汽", "steam"),
        (Category.HEAT, "热水", "hot_water"),
        (Category.HEAT, "hot_water", "hot_water"),
        (Category.HEAT, "输出热力", "export"),
    ],
)
def test_energy_item_codes(category: Category, text: str, code: str) -> None:
    assert energy_item_code(category, text) == code


@pytest.mark.parametrize(
    ("category", "text"),
    [
        (Category.ELECTRICITY, "蒸汽"),  # a heat item is not an electricity item
        (Category.HEAT, "绿电"),
        (Category.ELECTRICITY, "nuclear"),
        (Category.FUEL, "电力"),  # fuel items come from reference data, not from here
        (Category.PROCESS, "steam"),
    ],
)
def test_unknown_energy_items(category: Category, text: str) -> None:
    assert energy_item_code(category, text) is None


def test_only_export_is_deducted() -> None:
    assert is_export("export")
    assert not any(is_export(code) for code in ("grid", "green", "steam", "hot_water"))


def test_canonical_units() -> None:
    assert (ELECTRICITY_UNIT, HEAT_UNIT, PROCESS_UNIT) == ("MWh", "GJ", "t")


def test_english_template_item_names_resolve() -> None:
    from citycarbon.domain.ledger.categories import Category, energy_item_code

    assert energy_item_code(Category.ELECTRICITY, "grid electricity") == "grid"
    assert energy_item_code(Category.ELECTRICITY, "Purchased grid electricity") == "grid"
    assert energy_item_code(Category.HEAT, "purchased hot water") == "hot_water"
    assert energy_item_code(Category.ELECTRICITY, "green electricity") == "green"


def test_english_activity_template_validates_without_problems() -> None:
    from citycarbon.engines.activity_validation import validate_activity
    from citycarbon.ingest.readers import read_table
    from citycarbon.ingest.templates import template_bytes
    from citycarbon.refdata.factor_book import load_factor_book

    raw = read_table(template_bytes("activity", "en", "csv"), file_name="t.csv", kind="activity")
    checked = validate_activity(raw.frame, load_factor_book(), dict(raw.header_mapping))
    assert checked.problems == []
    zh = read_table(template_bytes("activity", "zh_CN", "xlsx"), file_name="t.xlsx", kind="activity")
    assert validate_activity(zh.frame, load_factor_book(), dict(zh.header_mapping)).problems == []
