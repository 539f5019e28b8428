"""Read an uploaded CSV or XLSX file into a table of strings with canonical column names.

Reading is kept apart from validation: this module only turns bytes into cells and reports what
stops it from doing so (encoding, damaged workbooks, headers, ragged rows). Every cell stays a
string so that the validators, not the parser, decide what a malformed number means, and so
that a 1-million-row CSV goes through the polars reader without a Python loop over rows.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path, PurePath
from typing import Literal

import openpyxl
import polars as pl
from openpyxl.utils import get_column_letter

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.ingest.headers import KINDS, VOCABULARY, Kind, normalise_header, resolve_headers

Encoding = Literal["utf-8", "utf-8-sig", "gb18030", "xlsx"]

ROW_NUMBER = "row_number"
MAX_PROBLEMS_PER_CAUSE = 100
_UTF8_EVIDENCE = 16  # continuation bytes, i.e. about eight Chinese characters
_EXCEL_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")

MSG_EMPTY_FILE = "The file is empty"
MSG_NO_DATA_ROWS = "The file has a header row but no data rows"
MSG_UNSUPPORTED = "Files of type {extension} cannot be imported; upload a .csv or .xlsx file"
MSG_EXCEL_AS_CSV = "The file is an Excel workbook although its name ends in .csv; upload it as .xlsx"
MSG_DAMAGED_XLSX = "The Excel file is damaged or incomplete; save it again and re-upload"
MSG_UNDECODABLE = (
    "The file is neither UTF-8 nor GB18030 text: the byte at offset {offset} (line {line}) "
    "cannot be read; save it as CSV UTF-8 and upload it again"
)
MSG_RAGGED_ROW = "Row {row} has {count} cells but the header has only {expected} columns"
MSG_BAD_QUOTES = "Row {row} has a quoted cell that is not closed or has text after its closing quote"
MSG_MALFORMED_CSV = "The CSV file could not be read; save it again as CSV UTF-8 and re-upload"
MSG_UNHEADED_VALUE = "Row {row} has a value in column {position}, which has no header"
MSG_SECOND_HEADER = (
    "Row {row} looks like a second header row (units or notes); templates have exactly one "
    "header row, so delete this row"
)
MSG_MORE_ROWS = "{count} more row(s) have the same problem"


@dataclass(frozen=True, slots=True)
class RawTable:
    """The cells of one uploaded file, before any value is validated.

    Parameters
    ----------
    kind
        Import kind the headers belong to.
    frame
        ``row_number`` (Int64, as the user sees it; the header is row 1) followed by every
        canonical column of ``kind`` as String, stripped, empty cells null; columns absent from
        the file are all null. Fully empty rows are dropped.
    encoding
        ``utf-8``, ``utf-8-sig``, ``gb18030`` or ``xlsx``.
    header_mapping
        Canonical column name → header as written in the file, for columns present.
    file_sha256
        Hex SHA-256 of the uploaded bytes, so an import can be traced to the exact file.
    file_name
        Name the file was uploaded under.

    """

    kind: Kind
    frame: pl.DataFrame
    encoding: Encoding
    header_mapping: Mapping[str, str]
    file_sha256: str
    file_name: str


def read_table(
    source: str | os.PathLike[str] | bytes, *, file_name: str, kind: Kind | None = None
) -> RawTable:
    """Read an uploaded ``.csv`` or ``.xlsx`` file.

    Parameters
    ----------
    source
        Path of the file, or its bytes.
    file_name
        Name as uploaded; its extension chooses the format.
    kind
        Import kind; guessed from the headers when not given.

    Raises
    ------
    ValidationFailed
        With row-level problems, whenever the file cannot be read as a table of ``kind``.

    """
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    chosen: list[Kind] = []

    def resolve(header: list[str]) -> Mapping[str, str]:
        found, mapping = resolve_headers(header, kind)
        chosen.append(found)
        return mapping

    cells = read_cells(data, file_name=file_name, resolve=resolve)
    frame = select_columns(cells, [column.name for column in VOCABULARY[chosen[0]]], second_header=True)
    digest = hashlib.sha256(data).hexdigest()
    return RawTable(chosen[0], frame, cells.encoding, cells.header_mapping, digest, file_name)


@dataclass(frozen=True, slots=True)
class Cells:
    """The raw cells of a file under its header: ``row_number`` and ``c0``, ``c1`` … as strings."""

    encoding: Encoding
    header: list[str]
    header_mapping: Mapping[str, str]
    frame: pl.DataFrame


def read_cells(data: bytes, *, file_name: str, resolve: Callable[[list[str]], Mapping[str, str]]) -> Cells:
    """Decode a ``.csv`` (UTF-8 or GB18030) or ``.xlsx`` file and map its header with ``resolve``.

    Shared by every import vocabulary (ledger, monitoring …): the byte-level work — encodings,
    damaged workbooks, ragged rows — is the same whatever the columns mean. ``resolve`` turns
    the header row into canonical column name → header as written, raising on unknown headers.
    """
    suffix = PurePath(file_name).suffix.casefold()
    if suffix not in (".csv", ".xlsx"):
        raise ValidationFailed([Problem(MSG_UNSUPPORTED, params={"extension": suffix or file_name})])
    if not data.removeprefix(codecs.BOM_UTF8).strip():
        raise ValidationFailed([Problem(MSG_EMPTY_FILE)])
    encoding: Encoding
    if suffix == ".csv":
        encoding, body = _decode_csv(data)
        header = _csv_header(body)
        mapping = resolve(header)
        cells = _csv_cells(body, len(header))
    else:
        encoding = "xlsx"
        rows = _xlsx_rows(data)
        header = _xlsx_header(rows)
        mapping = resolve(header)
        period = header.index(mapping["period"]) if "period" in mapping else None
        cells = _xlsx_cells(rows[1:], len(header), period)
    return Cells(encoding, header, mapping, cells)


def _capped(problems: list[Problem]) -> list[Problem]:
    """Keep the first problems of one cause; a whole file of them would drown the rest."""
    if len(problems) <= MAX_PROBLEMS_PER_CAUSE:
        return problems
    rest = len(problems) - MAX_PROBLEMS_PER_CAUSE
    return [*problems[:MAX_PROBLEMS_PER_CAUSE], Problem(MSG_MORE_ROWS, params={"count": rest})]


def _decode_csv(data: bytes) -> tuple[Encoding, bytes]:
    """Return the encoding and the text re-encoded as UTF-8 without BOM, as polars expects."""
    encoding: Encoding = "utf-8-sig" if data.startswith(codecs.BOM_UTF8) else "utf-8"
    body = data.removeprefix(codecs.BOM_UTF8)
    if body.startswith(_EXCEL_MAGIC):
        raise ValidationFailed([Problem(MSG_EXCEL_AS_CSV)])
    try:
        body.decode("utf-8")
        return encoding, body
    except UnicodeDecodeError as error:
        utf8_end = error.start
    # Many multi-byte characters that decode as UTF-8 before the bad byte mean a UTF-8 file
    # with a stray byte (GB18030 text almost never forms long valid UTF-8 runs); decoding it
    # as GB18030 would only turn it into plausible-looking nonsense.
    prefix = body[:utf8_end]
    if encoding == "utf-8-sig" or len(prefix) - len(prefix.decode("utf-8")) >= _UTF8_EVIDENCE:
        raise _undecodable(data, utf8_end + len(data) - len(body))
    try:
        return "gb18030", data.decode("gb18030").removeprefix("\ufeff").encode("utf-8")
    except UnicodeDecodeError as error:
        raise _undecodable(data, max(utf8_end, error.start)) from None


def _undecodable(data: bytes, offset: int) -> ValidationFailed:
    line = data.count(b"\n", 0, offset) + 1
    params = {"offset": offset, "line": line}
    return ValidationFailed([Problem(MSG_UNDECODABLE, row=line, params=params)])


def _csv_header(body: bytes) -> list[str]:
    try:
        first = pl.read_csv(
            body,
            has_header=False,
            infer_schema=False,
            n_rows=1,
            raise_if_empty=False,
            empty_string_is_null=False,
            truncate_ragged_lines=True,
        )
    except pl.exceptions.PolarsError as error:
        raise ValidationFailed(_locate_csv_fault(body, None)) from error
    if first.height == 0:
        return []
    return ["" if cell is None else str(cell) for cell in first.row(0)]


def _csv_cells(body: bytes, width: int) -> pl.DataFrame:
    schema = {f"c{index}": pl.String for index in range(width)}
    try:
        frame = pl.read_csv(
            body,
            has_header=False,
            schema=schema,
            row_index_name=ROW_NUMBER,
            row_index_offset=1,
            raise_if_empty=False,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as error:
        raise ValidationFailed(_locate_csv_fault(body, width)) from error
    return frame.filter(pl.col(ROW_NUMBER) > 1)


def _locate_csv_fault(body: bytes, width: int | None) -> list[Problem]:
    """Find the rows polars refused, with the slower stdlib parser that knows where it is.

    Only runs after polars has failed, so the fast path never pays for it.
    """
    problems: list[Problem] = []
    row = 0
    reader = csv.reader(io.StringIO(body.decode("utf-8"), newline=""), strict=True)
    try:
        for row, cells in enumerate(reader, start=1):
            if width is not None and len(cells) > width:
                params = {"row": row, "count": len(cells), "expected": width}
                problems.append(Problem(MSG_RAGGED_ROW, row=row, params=params))
    except csv.Error:
        problems.append(Problem(MSG_BAD_QUOTES, row=row + 1, params={"row": row + 1}))
    return _capped(problems) or [Problem(MSG_MALFORMED_CSV)]


def _xlsx_rows(data: bytes) -> list[tuple[object, ...]]:
    """Return the rows of the data sheet, without trailing empty rows."""
    try:
        with warnings.catch_warnings():
            # openpyxl warns about Excel features it drops (data validation, styles); they
            # concern the look of the workbook, not the values read here.
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            try:
                names = {name.strip().casefold(): name for name in workbook.sheetnames}
                chosen = names.get("数据") or names.get("data") or workbook.sheetnames[0]
                sheet = workbook[chosen]
                # Some generators write a wrong sheet dimension; without the reset,
                # read-only mode would trust it and silently drop rows.
                sheet.reset_dimensions()
                rows = [tuple(row) for row in sheet.iter_rows(values_only=True)]
            finally:
                workbook.close()
    except Exception as error:  # any damage inside the zip or its XML surfaces here
        raise ValidationFailed([Problem(MSG_DAMAGED_XLSX)]) from error
    while rows and all(value is None for value in rows[-1]):
        rows.pop()
    if not rows:
        raise ValidationFailed([Problem(MSG_EMPTY_FILE)])
    return rows


def cell_text(value: object, *, period: bool) -> str | None:
    """Render an Excel cell value as the text the user sees in the cell.

    Parameters
    ----------
    value
        Cell value as openpyxl returns it.
    period
        Whether the cell lies in a ``period`` column, where Excel turns a typed ``2024-01``
        into a date; the month is what the user meant.

    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, datetime):
        if period:
            return value.strftime("%Y-%m")
        return value.date().isoformat() if value.time() == time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.strftime("%Y-%m") if period else value.isoformat()
    if isinstance(value, float):
        return _float_text(value)
    return str(value)


def _float_text(value: float) -> str:
    """Write a float as Excel shows it: 15 significant digits, no exponent, no ``.0``.

    Excel keeps 15 significant digits, so anything beyond is binary noise (``0.1 + 0.2``).
    """
    if value == 0 or value != value or value in (float("inf"), float("-inf")):
        return "0" if value == 0 else str(value)
    return format(Decimal(f"{value:.15g}"), "f")


def _xlsx_header(rows: Sequence[tuple[object, ...]]) -> list[str]:
    width = max(len(row) for row in rows)
    cells = [cell_text(value, period=False) or "" for value in rows[0]]
    return cells + [""] * (width - len(cells))


def _xlsx_cells(body: Sequence[tuple[object, ...]], width: int, period: int | None) -> pl.DataFrame:
    """Turn worksheet rows into the same positional string columns the CSV path yields."""
    transposed: list[tuple[object, ...]] = list(zip_longest(*body, fillvalue=None))
    transposed += [(None,) * len(body)] * (width - len(transposed))
    columns = {
        f"c{index}": [cell_text(value, period=index == period) for value in values]
        for index, values in enumerate(transposed)
    }
    frame = pl.DataFrame(columns, schema=dict.fromkeys(columns, pl.String))
    return frame.with_columns(pl.int_range(2, len(body) + 2, dtype=pl.Int64).alias(ROW_NUMBER))


def select_columns(cells: Cells, columns: Sequence[str], *, second_header: bool = False) -> pl.DataFrame:
    """Strip cells, drop empty rows, refuse values under blank headers, select ``columns``.

    ``second_header`` also refuses a units or notes row under the header (the ledger templates
    invite one). Columns the file lacks come back all null.
    """
    header = cells.header
    names = [f"c{index}" for index in range(len(header))]
    stripped = [pl.col(name).str.strip_chars() for name in names]
    cleaned = cells.frame.with_columns(
        pl.when(cell.str.len_bytes() > 0).then(cell).alias(name)
        for name, cell in zip(names, stripped, strict=True)
    ).filter(pl.any_horizontal(pl.col(names).is_not_null()))
    if cleaned.height == 0:
        raise ValidationFailed([Problem(MSG_NO_DATA_ROWS)])
    problems = _unheaded_values(cleaned, header)
    if second_header:
        problems += _second_header(cleaned, names)
    if problems:
        raise ValidationFailed(problems)
    positions = {canonical: header.index(original) for canonical, original in cells.header_mapping.items()}
    absent = pl.lit(None, pl.String)
    selected = [(pl.col(f"c{positions[n]}") if n in positions else absent).alias(n) for n in columns]
    return cleaned.select(pl.col(ROW_NUMBER).cast(pl.Int64), *selected)


def _unheaded_values(frame: pl.DataFrame, header: Sequence[str]) -> list[Problem]:
    """Report data under blank headers: ignoring it would silently drop what the user typed."""
    problems: list[Problem] = []
    for index, cell in enumerate(header):
        if normalise_header(cell):
            continue
        rows = frame.filter(pl.col(f"c{index}").is_not_null())[ROW_NUMBER].to_list()
        position = get_column_letter(index + 1)
        found = [
            Problem(MSG_UNHEADED_VALUE, row=row, params={"row": row, "position": position}) for row in rows
        ]
        problems.extend(_capped(found))
    return problems


def _second_header(frame: pl.DataFrame, names: Sequence[str]) -> list[Problem]:
    """Spot a units or notes row under the header.

    A real data row always holds digits (every kind requires a credit code), so a row 2
    without any digit is a second header row rather than data.
    """
    first = frame.row(0, named=True)
    if first[ROW_NUMBER] != 2:
        return []
    text = "".join(str(first[name]) for name in names if first[name] is not None)
    if any(character.isdigit() for character in text):
        return []
    return [Problem(MSG_SECOND_HEADER, row=2, params={"row": 2})]
