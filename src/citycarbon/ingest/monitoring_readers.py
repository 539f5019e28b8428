"""Read monitoring files (CSV in UTF-8 or GB18030, XLSX) into tables of strings.

The byte-level work (encoding detection, damaged workbooks, ragged rows, blank headers) is the
ledger reader's, reused as is; only the header vocabulary differs.
"""

from __future__ import annotations

import codecs
import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import polars as pl

from citycarbon.domain.errors import Problem, ValidationFailed
from citycarbon.ingest.monitoring_headers import (
    MONITORING_VOCABULARY,
    MonitoringKind,
    resolve_monitoring_headers,
)
from citycarbon.ingest.readers import (
    MSG_EMPTY_FILE,
    MSG_NO_DATA_ROWS,
    MSG_UNSUPPORTED,
    ROW_NUMBER,
    Encoding,
    _csv_cells,
    _csv_header,
    _decode_csv,
    _unheaded_values,
    _xlsx_cells,
    _xlsx_header,
    _xlsx_rows,
)


@dataclass(frozen=True, slots=True)
class MonitoringTable:
    """The cells of one monitoring file: ``row_number`` and every column of the kind, as strings."""

    kind: MonitoringKind
    frame: pl.DataFrame
    encoding: Encoding
    header_mapping: dict[str, str]
    file_sha256: str
    file_name: str


def read_monitoring_table(data: bytes, *, file_name: str, kind: MonitoringKind) -> MonitoringTable:
    """Read an uploaded ``.csv`` or ``.xlsx`` monitoring file of ``kind``.

    Raises
    ------
    ValidationFailed
        With row-level problems whenever the file cannot be read as a table of ``kind``.

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
        mapping = resolve_monitoring_headers(header, kind)
        cells = _csv_cells(body, len(header))
    else:
        encoding = "xlsx"
        rows = _xlsx_rows(data)
        header = _xlsx_header(rows)
        mapping = resolve_monitoring_headers(header, kind)
        period = header.index(mapping["period"]) if "period" in mapping else None
        cells = _xlsx_cells(rows[1:], len(header), period)
    names = [f"c{index}" for index in range(len(header))]
    stripped = cells.with_columns(
        pl.when(pl.col(name).str.strip_chars().str.len_bytes() > 0)
        .then(pl.col(name).str.strip_chars())
        .alias(name)
        for name in names
    ).filter(pl.any_horizontal(pl.col(names).is_not_null()))
    if stripped.height == 0:
        raise ValidationFailed([Problem(MSG_NO_DATA_ROWS)])
    problems = _unheaded_values(stripped, header)
    if problems:
        raise ValidationFailed(problems)
    positions = {canonical: header.index(original) for canonical, original in mapping.items()}
    frame = stripped.select(
        pl.col(ROW_NUMBER).cast(pl.Int64),
        *(
            pl.col(f"c{positions[column.name]}").alias(column.name)
            if column.name in positions
            else pl.lit(None, pl.String).alias(column.name)
            for column in MONITORING_VOCABULARY[kind]
        ),
    )
    return MonitoringTable(kind, frame, encoding, mapping, hashlib.sha256(data).hexdigest(), file_name)
