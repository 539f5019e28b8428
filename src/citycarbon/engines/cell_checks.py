"""Column checks shared by every table validator: row-level problems from masks and lookups.

A validator states *what* is wrong as a Polars mask or a per-value resolver; these helpers turn
that into :class:`Problem` objects carrying the row number and the column as the user wrote it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from citycarbon.domain.errors import CityCarbonError, Problem

MSG_REQUIRED = "A value is required"
MSG_NOT_A_NUMBER = "'{value}' is not a number"


def problems_where(
    frame: pl.DataFrame, mask: pl.Expr, column: str, message: str, header: dict[str, str], **params: str
) -> list[Problem]:
    """One problem per row matching ``mask``; ``params`` maps placeholder names to columns."""
    bad = frame.filter(mask).select("row_number", *(pl.col(v).alias(k) for k, v in params.items()))
    return [
        Problem(message, row=r.pop("row_number"), column=header.get(column, column), params=r)
        for r in bad.iter_rows(named=True)
    ]


def missing_values(frame: pl.DataFrame, columns: Iterable[str], header: dict[str, str]) -> list[Problem]:
    """A problem for every empty cell of the required ``columns``."""
    return [p for c in columns for p in problems_where(frame, pl.col(c).is_null(), c, MSG_REQUIRED, header)]


def resolve_each(
    frame: pl.DataFrame, column: str, resolve: Callable[[str], Any], header: dict[str, str], out: str
) -> tuple[pl.DataFrame, list[Problem]]:
    """Add ``out`` = ``resolve(value)`` (as text), calling it once per distinct value.

    Credit codes, periods and code lists need Python to check; calling it per distinct value
    instead of per row keeps a million-row file to a few thousand calls. Values ``resolve``
    rejects become null in ``out`` and a problem (with the resolver's reason) on every row.
    """
    resolved: dict[str, Any] = {}
    failures: dict[str, CityCarbonError] = {}
    for value in frame[column].drop_nulls().unique().to_list():
        try:
            resolved[value] = resolve(value)
        except CityCarbonError as error:
            failures[value] = error
    frame = frame.with_columns(
        pl.col(column).replace_strict(resolved, default=None, return_dtype=pl.String).alias(out)
    )
    bad = frame.filter(pl.col(column).is_in(list(failures))).select("row_number", column)
    return frame, [
        Problem(failures[v].message, row=r, column=header.get(column, column), params=failures[v].params)
        for r, v in bad.iter_rows()
    ]
