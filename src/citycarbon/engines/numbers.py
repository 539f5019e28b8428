"""Parsing of numbers as users type them in spreadsheets, as Polars expressions."""

from __future__ import annotations

import polars as pl

#: Thousands separators are accepted only in their proper places ("1,200.5"); "1,5" is a
#: decimal comma or a typo, and guessing either way would silently change the figure.
THOUSANDS = r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$"


def parse_number(column: str) -> pl.Expr:
    """Float value of a text column; null where the text is not a plain or grouped number."""
    text = pl.col(column).str.strip_chars()
    grouped = pl.when(text.str.contains(THOUSANDS)).then(text.str.replace_all(",", "")).otherwise(text)
    return grouped.cast(pl.Float64, strict=False)
