"""File-reading adapter for imports: CSV and XLSX uploads into tables of strings.

Reading stops at cells: :func:`read_table` settles encoding, sheet and headers and reports,
row by row, whatever prevents that; checking the values themselves is the services' job. The
templates offered for download come from the same header vocabulary, so a file started from a
template always reads.
"""

from citycarbon.ingest.headers import (
    KINDS,
    VOCABULARY,
    Column,
    Kind,
    detect_kind,
    map_headers,
    normalise_header,
    resolve_headers,
)
from citycarbon.ingest.readers import Encoding, RawTable, read_table
from citycarbon.ingest.templates import TemplateFormat, examples, template_bytes, write_template

__all__ = [
    "KINDS",
    "VOCABULARY",
    "Column",
    "Encoding",
    "Kind",
    "RawTable",
    "TemplateFormat",
    "detect_kind",
    "examples",
    "map_headers",
    "normalise_header",
    "read_table",
    "resolve_headers",
    "template_bytes",
    "write_template",
]
