"""Read monitoring files (CSV in UTF-8 or GB18030, XLSX) into tables of strings.

The byte-level work (encoding detection, damaged workbooks, ragged rows, blank headers) is the
ledger reader's, reused as is; only the header vocabulary differs.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from citycarbon.ingest.monitoring_headers import (
    MONITORING_VOCABULARY,
    MonitoringKind,
    resolve_monitoring_headers,
)
from citycarbon.ingest.readers import Encoding, read_cells, select_columns


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
    cells = read_cells(data, file_name=file_name, resolve=lambda row: resolve_monitoring_headers(row, kind))
    frame = select_columns(cells, [column.name for column in MONITORING_VOCABULARY[kind]])
    digest = hashlib.sha256(data).hexdigest()
    return MonitoringTable(kind, frame, cells.encoding, dict(cells.header_mapping), digest, file_name)
