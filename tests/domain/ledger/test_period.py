"""Reporting periods: the spellings enterprises use, canonical codes, bad input and date ranges."""

from __future__ import annotations

import datetime as dt

import pytest

from citycarbon.domain.ledger.period import InvalidPeriod, Period, parse_period

MONTHS = [
    ("2024-03", "2024-03"),
    ("2024-3", "2024-03"),
    ("2024/3", "2024-03"),
    ("2024/03", "2024-03"),
    ("2024.03", "2024-03"),
    ("202403", "2024-03"),
    ("2024M03", "2024-03"),
    ("2024m3", "2024-03"),
    ("2024年3月", "2024-03"),
    ("2024年03月", "2024-03"),
    ("2024 年 3 月", "2024-03"),
    (" 2024-03 ", "2024-03"),
    ("202412", "2024-12"),
    ("2024年12月", "2024-12"),
]
QUARTERS = [
    ("2024Q2", "2024-Q2"),
    ("2024q2", "2024-Q2"),
    ("2024-Q2", "2024-Q2"),
    ("2024 Q2", "2024-Q2"),
    ("2024年第二季度", "2024-Q2"),
    ("2024年第2季度", "2024-Q2"),
    ("2024年第一季度", "2024-Q1"),
    ("2024年第三季度", "2024-Q3"),
    ("2024年第四季度", "2024-Q4"),
    ("2023年第二季度", "2023-Q2"),
]
YEARS = [("2024", "2024"), ("2024年", "2024"), ("2024年度", "2024"), ("1990", "1990"), ("2100", "2100")]


@pytest.mark.parametrize(("text", "code"), MONTHS)
def test_month_spellings(text: str, code: str) -> None:
    period = parse_period(text)
    assert period.code == code
    assert period.kind == "month"
    assert period.quarter is None
    assert period.year == int(code[:4])
    assert period.month == int(code[5:])


@pytest.mark.parametrize(("text", "code"), QUARTERS)
def test_quarter_spellings(text: str, code: str) -> None:
    period = parse_period(text)
    assert period.code == code
    assert period.kind == "quarter"
    assert period.month is None
    assert period.quarter == int(code[-1])


@pytest.mark.parametrize(("text", "code"), YEARS)
def test_year_spellings(text: str, code: str) -> None:
    period = parse_period(text)
    assert period.code == code
    assert period.kind == "year"
    assert (period.quarter, period.month) == (None, None)


def test_spellings_of_one_month_are_equal() -> None:
    spellings = ["2024-03", "2024/3", "202403", "2024M03", "2024年3月"]
    assert len({parse_period(text) for text in spellings}) == 1


def test_str_is_the_code() -> None:
    assert str(parse_period("2024年第二季度")) == "2024-Q2"
    assert str(Period(2024, month=1)) == "2024-01"
    assert str(Period(2024)) == "2024"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("2024-13", "month 13"),
        ("202413", "month 13"),
        ("2024年13月", "month 13"),
        ("2024-00", "month 0"),
        ("1800", "year 1800"),
        ("1989", "year 1989"),
        ("2101", "year 2101"),
        ("03/2024", "not understood"),
        ("", "not understood"),
        ("abc", "not understood"),
        ("2024Q5", "not understood"),
        ("2024-Q0", "not understood"),
        ("2024年第五季度", "not understood"),
        ("20240", "not understood"),
        ("2024-1-1", "not understood"),
    ],
)
def test_bad_periods_raise(text: str, fragment: str) -> None:
    with pytest.raises(InvalidPeriod) as caught:
        parse_period(text)
    assert fragment in str(caught.value)
    assert caught.value.params["text"] == text.strip()


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2024-02", dt.date(2024, 2, 1), dt.date(2024, 2, 29)),  # leap year
        ("2023-02", dt.date(2023, 2, 1), dt.date(2023, 2, 28)),
        ("2000-02", dt.date(2000, 2, 1), dt.date(2000, 2, 29)),  # divisible by 400
        ("2100-02", dt.date(2100, 2, 1), dt.date(2100, 2, 28)),  # divisible by 100 only
        ("2024-01", dt.date(2024, 1, 1), dt.date(2024, 1, 31)),
        ("2024-04", dt.date(2024, 4, 1), dt.date(2024, 4, 30)),
        ("2024-11", dt.date(2024, 11, 1), dt.date(2024, 11, 30)),
        ("2024-12", dt.date(2024, 12, 1), dt.date(2024, 12, 31)),
        ("2024-Q1", dt.date(2024, 1, 1), dt.date(2024, 3, 31)),
        ("2024-Q2", dt.date(2024, 4, 1), dt.date(2024, 6, 30)),
        ("2024-Q3", dt.date(2024, 7, 1), dt.date(2024, 9, 30)),
        ("2024-Q4", dt.date(2024, 10, 1), dt.date(2024, 12, 31)),
        ("2024", dt.date(2024, 1, 1), dt.date(2024, 12, 31)),
    ],
)
def test_start_and_end_dates(text: str, start: dt.date, end: dt.date) -> None:
    period = parse_period(text)
    assert period.start_date == start
    assert period.end_date == end


def test_leap_year_lengths() -> None:
    leap, common = parse_period("2024"), parse_period("2023")
    assert (leap.end_date - leap.start_date).days + 1 == 366
    assert (common.end_date - common.start_date).days + 1 == 365
    q1 = parse_period("2024-Q1")
    assert (q1.end_date - q1.start_date).days + 1 == 31 + 29 + 31


def test_periods_of_one_kind_sort_chronologically() -> None:
    months = [parse_period(t) for t in ("2024-11", "2023-12", "2024-02")]
    assert [p.code for p in sorted(months)] == ["2023-12", "2024-02", "2024-11"]


def test_periods_of_different_kinds_can_be_sorted() -> None:
    periods = [Period(2024, quarter=2), Period(2023), Period(2024, month=1)]
    ordered = sorted(periods)
    assert [p.start_date for p in ordered] == sorted(p.start_date for p in periods)
