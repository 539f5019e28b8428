"""Reporting periods (year, quarter, month) and the many ways users write them.

Enterprises write periods as ``2024-01``, ``2024/1``, ``202401``, ``2024年1月``, ``2024Q1``,
``2024年第一季度`` or ``2024``; all of them map to one canonical code so that the same month
reported twice is recognised as a duplicate.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Literal

from citycarbon.domain.errors import CityCarbonError

PeriodKind = Literal["year", "quarter", "month"]

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_MONTH = re.compile(r"^(\d{4})\s*(?:[-/.]|年|M)\s*(\d{1,2})\s*月?$", re.IGNORECASE)
_COMPACT_MONTH = re.compile(r"^(\d{4})(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})\s*(?:[-/ ]?\s*Q|年\s*第?\s*)([1-4一二三四])\s*(?:季度)?$", re.IGNORECASE)
_YEAR = re.compile(r"^(\d{4})\s*年?(?:度)?$")
_FIRST_YEAR, _LAST_YEAR = 1990, 2100


class InvalidPeriod(CityCarbonError):
    """A period that does not parse or lies outside the supported years."""


@functools.total_ordering
@dataclass(frozen=True, slots=True)
class Period:
    """A calendar period; ``code`` is canonical: ``2024``, ``2024-Q1`` or ``2024-01``."""

    year: int
    quarter: int | None = None
    month: int | None = None

    @property
    def kind(self) -> PeriodKind:
        """Whether this is a year, a quarter or a month."""
        if self.month is not None:
            return "month"
        return "quarter" if self.quarter is not None else "year"

    @property
    def code(self) -> str:
        """Canonical text form used in files, the database and the API."""
        if self.month is not None:
            return f"{self.year}-{self.month:02d}"
        if self.quarter is not None:
            return f"{self.year}-Q{self.quarter}"
        return str(self.year)

    @property
    def start_date(self) -> dt.date:
        """First day of the period."""
        month = self.month or (3 * (self.quarter - 1) + 1 if self.quarter else 1)
        return dt.date(self.year, month, 1)

    @property
    def end_date(self) -> dt.date:
        """Last day of the period."""
        if self.month is not None:
            last_month = self.month
        elif self.quarter is not None:
            last_month = 3 * self.quarter
        else:
            last_month = 12
        if last_month == 12:
            return dt.date(self.year, 12, 31)
        return dt.date(self.year, last_month + 1, 1) - dt.timedelta(days=1)

    def __str__(self) -> str:
        return self.code

    def __lt__(self, other: object) -> bool:
        # Chronological: by first day, then the shorter period first (2024-01 < 2024-Q1 < 2024).
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start_date, self.end_date) < (other.start_date, other.end_date)


def _check_year(year: int, text: str) -> int:
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        raise InvalidPeriod(
            "Period '{text}' has year {year} outside {first}–{last}",
            text=text,
            year=year,
            first=_FIRST_YEAR,
            last=_LAST_YEAR,
        )
    return year


def parse_period(text: str) -> Period:
    """Parse a period as users write it.

    Examples
    --------
    >>> parse_period("2024年3月").code
    '2024-03'
    >>> parse_period("2023年第二季度").code
    '2023-Q2'
    >>> parse_period("202412").code
    '2024-12'
    """
    value = str(text).strip()
    for pattern in (_MONTH, _COMPACT_MONTH):
        match = pattern.match(value)
        if match:
            year, month = _check_year(int(match.group(1)), value), int(match.group(2))
            if not 1 <= month <= 12:
                raise InvalidPeriod(
                    "Period '{text}' has month {month}; months run 1–12", text=value, month=month
                )
            return Period(year, month=month)
    match = _QUARTER.match(value)
    if match:
        quarter = match.group(2)
        return Period(
            _check_year(int(match.group(1)), value), quarter=_CN_DIGITS.get(quarter) or int(quarter)
        )
    match = _YEAR.match(value)
    if match:
        return Period(_check_year(int(match.group(1)), value))
    raise InvalidPeriod(
        "Period '{text}' is not understood; write a year (2024), a quarter (2024-Q1) or a month (2024-01)",
        text=value,
    )
