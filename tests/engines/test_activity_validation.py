"""Activity validation: every bad cell is reported with its row and column, all at once."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from citycarbon.domain.errors import Problem
from citycarbon.domain.ledger.factors import FactorBook
from citycarbon.engines import activity_validation as av
from citycarbon.engines import cell_checks
from citycarbon.engines.activity_validation import validate_activity
from citycarbon.refdata.factor_book import load_factor_book

COLUMNS = ("uscc", "site", "period", "category", "item", "quantity", "unit", "certificate", "note")

# GB 32100-2015 Annex A, as quoted in china-reference.md §6
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [pow(3, i, 31) for i in range(17)]


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


GOOD = "91331002MA2AB3CD1" + check_character("91331002MA2AB3CD1")
OTHER = "913310007040123456"[:17] + check_character("913310007040123456"[:17])
WRONG_CHECK = GOOD[:17] + ALPHABET[(ALPHABET.index(GOOD[17]) + 1) % 31]
LEGACY = "91350211M0000XUF46"  # legal pilot-era code that fails the check (china-reference.md §6)


def raw(*rows: dict[str, str | None]) -> pl.DataFrame:
    """A raw activity table as the reader yields it: strings, row numbers from 2."""
    data = {column: [row.get(column) for row in rows] for column in COLUMNS}
    frame = pl.DataFrame(data, schema=dict.fromkeys(COLUMNS, pl.String))
    return frame.with_columns(pl.int_range(2, len(rows) + 2, dtype=pl.Int64).alias("row_number")).select(
        "row_number", *COLUMNS
    )


def row(**cells: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "uscc": GOOD,
        "site": None,
        "period": "2024-01",
        "category": "fuel",
        "item": "柴油",
        "quantity": "10",
        "unit": "t",
        "certificate": None,
        "note": None,
    }
    base.update(cells)
    return base


@pytest.fixture(scope="module")
def book() -> FactorBook:
    return load_factor_book()


def only(problems: list[Problem]) -> Problem:
    assert len(problems) == 1, [(p.row, p.column, p.render()) for p in problems]
    return problems[0]


def where(problems: list[Problem], row_number: int, column: str | None) -> list[Problem]:
    return [p for p in problems if p.row == row_number and p.column == column]


def test_uscc_fixtures_are_what_they_claim() -> None:
    assert check_character(GOOD[:17]) == GOOD[17]
    assert check_character(WRONG_CHECK[:17]) != WRONG_CHECK[17]
    assert check_character(LEGACY[:17]) != LEGACY[17]
    # the reference's own example, to check the formula copy above
    assert check_character("91330100716105852") == "F"


def test_valid_frame_has_no_problems_and_is_typed(book: FactorBook) -> None:
    frame = raw(
        row(uscc=GOOD.lower(), period="2024年3月", item="0号柴油", quantity="1,200.5", unit="吨"),
        row(period="2024-03", category="电力", item="外购电力", quantity="30", unit="万千瓦时"),
        row(
            period="202403",
            category="electricity",
            item="绿电",
            quantity="50,000",
            unit="kWh",
            certificate="GEC-2024-0001",
        ),
        row(period="2024M03", category="热力", item="蒸汽", quantity="12.5", unit="百万千焦"),
        row(period="2024/3", category="过程", item="水泥熟料", quantity="1e3", unit="t"),
        row(period="2024-03", item="天然气", quantity="15000", unit="m3", site="north"),
    )
    result = validate_activity(frame, book)
    assert result.problems == []
    typed = result.frame
    assert typed.schema["quantity"] == pl.Float64
    assert typed.schema["year"] == pl.Int32
    assert typed.schema["row_number"] == pl.Int64
    assert typed["uscc"].to_list() == [GOOD] * 6  # normalised to upper case
    assert typed["period"].to_list() == ["2024-03"] * 6
    assert typed["year"].to_list() == [2024] * 6
    assert typed["category"].to_list() == ["fuel", "electricity", "electricity", "heat", "process", "fuel"]
    assert typed["item_code"].to_list() == [
        "diesel",
        "grid",
        "green",
        "steam",
        "cement_clinker",
        "natural_gas",
    ]
    assert typed["quantity"].to_list() == [1200.5, 30.0, 50000.0, 12.5, 1000.0, 15000.0]
    assert typed["unit"].to_list() == ["吨", "万千瓦时", "kWh", "百万千焦", "t", "m3"]
    assert typed["site"].to_list() == ["", "", "", "", "", "north"]
    assert typed["row_number"].to_list() == [2, 3, 4, 5, 6, 7]
    assert typed["certificate"].to_list()[2] == "GEC-2024-0001"


def test_frame_without_optional_columns_is_accepted(book: FactorBook) -> None:
    frame = raw(row()).drop("site", "certificate", "note")
    result = validate_activity(frame, book)
    assert result.problems == []
    assert result.frame["site"].to_list() == [""]


@pytest.mark.parametrize("quantity", ["-1", "-0.5", "-1,000"])
def test_negative_quantity(book: FactorBook, quantity: str) -> None:
    problem = only(validate_activity(raw(row(), row(item="原煤", quantity=quantity)), book).problems)
    assert (problem.row, problem.column) == (3, "quantity")
    assert problem.message == av.MSG_NEGATIVE
    assert problem.params == {"value": quantity}


@pytest.mark.parametrize("quantity", ["abc", "1.2.3", "12t", "inf", "NaN", "十"])
def test_non_numeric_quantity(book: FactorBook, quantity: str) -> None:
    problem = only(validate_activity(raw(row(quantity=quantity)), book).problems)
    assert (problem.row, problem.column) == (2, "quantity")
    assert problem.message == cell_checks.MSG_NOT_A_NUMBER
    assert quantity in problem.render()


@pytest.mark.parametrize(("quantity", "value"), [("1,200.5", 1200.5), ("12,345,678", 12345678.0), ("0", 0.0)])
def test_thousands_separators(book: FactorBook, quantity: str, value: float) -> None:
    result = validate_activity(raw(row(quantity=quantity)), book)
    assert result.problems == []
    assert result.frame["quantity"][0] == value


@pytest.mark.parametrize("quantity", ["1,5", "12,34"])
def test_misplaced_comma_is_not_a_thousands_separator(book: FactorBook, quantity: str) -> None:
    problem = only(validate_activity(raw(row(quantity=quantity)), book).problems)
    assert (problem.row, problem.column, problem.message) == (2, "quantity", cell_checks.MSG_NOT_A_NUMBER)


@pytest.mark.parametrize(
    ("category", "item"), [("fuel", "moonshine"), ("电力", "核电"), ("热力", "绿电"), ("process", "柴油")]
)
def test_unknown_item(book: FactorBook, category: str, item: str) -> None:
    problem = only(validate_activity(raw(row(category=category, item=item, unit="t")), book).problems)
    assert (problem.row, problem.column) == (2, "item")
    assert problem.message == av.MSG_UNKNOWN_ITEM
    assert problem.params == {"value": item, "category": category}


@pytest.mark.parametrize("category", ["gas", "燃气", "scope 1"])
def test_unknown_category(book: FactorBook, category: str) -> None:
    problem = only(validate_activity(raw(row(category=category)), book).problems)
    assert (problem.row, problem.column) == (2, "category")
    assert problem.message == av.MSG_UNKNOWN_CATEGORY
    assert problem.params == {"value": category}


@pytest.mark.parametrize(
    ("category", "item", "unit", "expected"),
    [
        ("fuel", "原煤", "kWh", "t"),
        ("fuel", "天然气", "t", "e4Nm3"),
        ("电力", "电力", "t", "MWh"),
        ("热力", "蒸汽", "t", "GJ"),
        ("过程", "水泥熟料", "m3", "t"),
    ],
)
def test_wrong_unit_for_item(book: FactorBook, category: str, item: str, unit: str, expected: str) -> None:
    problem = only(validate_activity(raw(row(category=category, item=item, unit=unit)), book).problems)
    assert (problem.row, problem.column) == (2, "unit")
    assert "does not fit" in problem.message
    assert problem.params == {"unit": unit, "expected": expected}


@pytest.mark.parametrize("unit", ["tonnes of stuff", "万吨", "kg/"])
def test_unknown_unit(book: FactorBook, unit: str) -> None:
    problem = only(validate_activity(raw(row(unit=unit)), book).problems)
    assert (problem.row, problem.column) == (2, "unit")
    assert problem.params == {"unit": unit}
    assert "Unknown unit" in problem.message


def test_wrong_check_character(book: FactorBook) -> None:
    problem = only(validate_activity(raw(row(uscc=WRONG_CHECK)), book).problems)
    assert (problem.row, problem.column) == (2, "uscc")
    assert problem.params == {"expected": GOOD[17], "actual": WRONG_CHECK[17]}


@pytest.mark.parametrize("code", ["12345", "91330100716105852FF", "9133010071610585IF"])
def test_malformed_credit_codes(book: FactorBook, code: str) -> None:
    problem = only(validate_activity(raw(row(uscc=code)), book).problems)
    assert (problem.row, problem.column) == (2, "uscc")


def test_legacy_code_only_with_override(book: FactorBook) -> None:
    frame = raw(row(uscc=LEGACY))
    refused = only(validate_activity(frame, book).problems)
    assert (refused.row, refused.column) == (2, "uscc")
    accepted = validate_activity(frame, book, legacy_codes={LEGACY})
    assert accepted.problems == []
    assert accepted.frame["uscc"].to_list() == [LEGACY]
    # the override is for that code only, not for every code failing the check
    other = validate_activity(raw(row(uscc=WRONG_CHECK)), book, legacy_codes={LEGACY})
    assert only(other.problems).column == "uscc"


@pytest.mark.parametrize("period", ["2024-13", "03/2024", "abc", "1800", "2024Q5"])
def test_unparseable_period(book: FactorBook, period: str) -> None:
    problem = only(validate_activity(raw(row(), row(period=period)), book).problems)
    assert (problem.row, problem.column) == (3, "period")
    assert problem.params["text"] == period


@pytest.mark.parametrize("period", ["2024-13", "abc", None])
def test_file_whose_every_period_is_bad_is_reported(book: FactorBook, period: str | None) -> None:
    problems = validate_activity(raw(row(period=period), row(period=period, item="原煤")), book).problems
    assert {(p.row, p.column) for p in problems} == {(2, "period"), (3, "period")}


def test_duplicate_rows(book: FactorBook) -> None:
    frame = raw(
        row(),
        row(item="原煤"),
        row(uscc=GOOD.lower(), period="2024年1月", item="diesel", quantity="3"),  # same as row 2
        row(item="原煤", quantity="1", unit="kg"),  # same as row 3
        row(item="原煤", site="north"),  # another site: not a duplicate
        row(item="原煤", period="2024-02"),  # another month: not a duplicate
        row(uscc=OTHER, item="原煤"),  # another organisation: not a duplicate
    )
    problems = validate_activity(frame, book).problems
    assert [(p.row, p.column, p.message, dict(p.params)) for p in problems] == [
        (4, None, av.MSG_DUPLICATE, {"first": 2}),
        (5, None, av.MSG_DUPLICATE, {"first": 3}),
    ]


def test_green_electricity_needs_certificate(book: FactorBook) -> None:
    frame = raw(
        row(category="电力", item="绿电", unit="MWh"),
        row(category="电力", item="绿电", unit="MWh", site="north", certificate="GEC-1"),
        row(category="电力", item="电力", unit="MWh"),  # grid electricity needs none
    )
    problem = only(validate_activity(frame, book).problems)
    assert (problem.row, problem.column, problem.message) == (2, "certificate", av.MSG_CERTIFICATE)


@pytest.mark.parametrize("column", av.REQUIRED)
def test_missing_required_cell(book: FactorBook, column: str) -> None:
    problems = validate_activity(raw(row(item="原煤"), row(**{column: None})), book).problems
    assert where(problems, 3, column) == [Problem(cell_checks.MSG_REQUIRED, row=3, column=column)]
    assert all(p.row == 3 for p in problems)


def test_all_problems_are_reported_together(book: FactorBook) -> None:
    frame = raw(
        row(),  # 2: fine
        row(period="2024-02", quantity="-5"),  # 3
        row(period="2024-03", quantity="1.2.3"),  # 4
        row(period="2024-04", item="moonshine"),  # 5
        row(period="2024-05", category="gas"),  # 6
        row(period="2024-06", item="原煤", unit="kWh"),  # 7
        row(period="2024-07", unit="bogus"),  # 8
        row(period="2024-08", uscc=WRONG_CHECK),  # 9
        row(period="2024-13"),  # 10
        row(period="2024-09", category="电力", item="绿电", unit="MWh"),  # 11
        row(period="2024-10", unit=None),  # 12
        row(),  # 13: duplicate of row 2
    )
    result = validate_activity(frame, book)
    found = {(p.row, p.column, p.message) for p in result.problems}
    assert (3, "quantity", av.MSG_NEGATIVE) in found
    assert (4, "quantity", cell_checks.MSG_NOT_A_NUMBER) in found
    assert (5, "item", av.MSG_UNKNOWN_ITEM) in found
    assert (6, "category", av.MSG_UNKNOWN_CATEGORY) in found
    assert any(r == 7 and c == "unit" and "does not fit" in m for r, c, m in found)
    assert any(r == 8 and c == "unit" and "Unknown unit" in m for r, c, m in found)
    assert any(r == 9 and c == "uscc" for r, c, _ in found)
    assert any(r == 10 and c == "period" for r, c, _ in found)
    assert (11, "certificate", av.MSG_CERTIFICATE) in found
    assert (12, "unit", cell_checks.MSG_REQUIRED) in found
    assert (13, None, av.MSG_DUPLICATE) in found
    assert not any(p.row == 2 for p in result.problems)
    assert len(result.problems) == 11
    # sorted by row so users read them top to bottom; nothing is handed on to be computed
    assert [p.row for p in result.problems] == sorted(p.row or 0 for p in result.problems)
    assert result.frame.height == 0


def test_problems_name_the_users_column(book: FactorBook) -> None:
    header = {"uscc": "统一社会信用代码", "quantity": "数量", "unit": "单位", "period": "期间"}
    frame = raw(row(), row(uscc=WRONG_CHECK, quantity="abc", unit="bogus", period="13/2024"))
    columns = {p.column for p in validate_activity(frame, book, header).problems}
    assert columns == {"统一社会信用代码", "数量", "单位", "期间"}


def test_problem_messages_render(book: FactorBook) -> None:
    rendered: list[Any] = [p.render() for p in validate_activity(raw(row(quantity="-2")), book).problems]
    assert rendered == ["Quantity must not be negative (got -2)"]
