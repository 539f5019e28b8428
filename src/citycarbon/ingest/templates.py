"""Downloadable import templates, in Chinese or English, as CSV or XLSX.

A template is the contract the readers accept: its header row is built from the same
vocabulary, and its example rows read back through :func:`~citycarbon.ingest.readers.read_table`
unchanged, which the tests check. Users who start from a template therefore never meet a
header problem.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import BinaryIO, Literal

import openpyxl
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from citycarbon.i18n import normalise_locale, translator
from citycarbon.ingest.headers import VOCABULARY, Column, Kind

TemplateFormat = Literal["csv", "xlsx"]

GUIDE_SHEET = "Guide"
GUIDE_HEADER = ("Column header", "Required?", "Other accepted headers", "Notes and allowed values")
YES = "required"
NO = "optional"

# Values that must stay text in Excel: a typed 2024-01 becomes a date, a long code a number.
_TEXT_COLUMNS = frozenset({"uscc", "period", "industry_code", "region_code", "product_code"})
_NUMBER_COLUMNS = frozenset(
    {"quantity", "area_mu", "output_value_10k_cny", "value_added_10k_cny", "product_output"}
)
_USCC = "91330100716105852F"

Row = Mapping[str, str]

EXAMPLES: Mapping[tuple[Kind, str], tuple[Row, ...]] = MappingProxyType(
    {
        ("activity", "zh_CN"): (
            {"uscc": _USCC, "site": "一号厂区", "period": "2024-01", "category": "燃料",
             "item": "原煤", "quantity": "1200", "unit": "t"},
            {"uscc": _USCC, "site": "一号厂区", "period": "2024-01", "category": "燃料",
             "item": "天然气", "quantity": "12.5", "unit": "万立方米"},
            {"uscc": _USCC, "site": "一号厂区", "period": "2024-01", "category": "电力",
             "item": "电网电力", "quantity": "350.4", "unit": "万千瓦时"},
            {"uscc": _USCC, "site": "一号厂区", "period": "2024-01", "category": "热力",
             "item": "蒸汽", "quantity": "860", "unit": "GJ", "note": "外购蒸汽"},
        ),
        ("activity", "en"): (
            {"uscc": _USCC, "site": "Plant 1", "period": "2024-01", "category": "fuel",
             "item": "raw coal", "quantity": "1200", "unit": "t"},
            {"uscc": _USCC, "site": "Plant 1", "period": "2024-01", "category": "fuel",
             "item": "natural gas", "quantity": "125000", "unit": "m^3"},
            {"uscc": _USCC, "site": "Plant 1", "period": "2024-01", "category": "electricity",
             "item": "grid electricity", "quantity": "3504", "unit": "MWh"},
            {"uscc": _USCC, "site": "Plant 1", "period": "2024-01", "category": "heat",
             "item": "steam", "quantity": "860", "unit": "GJ", "note": "purchased steam"},
        ),
        ("organisation", "zh_CN"): (
            {"uscc": _USCC, "name": "杭州示例水泥有限公司", "kind": "企业",
             "industry_code": "3011", "region_code": "330100", "area_mu": "120.5"},
            {"uscc": "92330106MA2CXK7L3T", "name": "西湖区示例餐馆", "kind": "个体工商户",
             "industry_code": "6210", "region_code": "330106", "area_mu": "0.3"},
        ),
        ("organisation", "en"): (
            {"uscc": _USCC, "name": "Hangzhou Example Cement Co., Ltd.", "kind": "enterprise",
             "industry_code": "3011", "region_code": "330100", "area_mu": "120.5"},
            {"uscc": "92330106MA2CXK7L3T", "name": "Xihu Example Restaurant",
             "kind": "individual_business", "industry_code": "6210", "region_code": "330106",
             "area_mu": "0.3"},
        ),
        ("production", "zh_CN"): (
            {"uscc": _USCC, "period": "2024-01", "output_value_10k_cny": "1523.6",
             "value_added_10k_cny": "402.1", "product_code": "3011", "product_output": "52000",
             "product_unit": "t"},
            {"uscc": _USCC, "period": "2024-02", "output_value_10k_cny": "1388",
             "value_added_10k_cny": "365.75", "product_code": "3011", "product_output": "47500",
             "product_unit": "t"},
        ),
    }
)  # fmt: skip


def examples(kind: Kind, locale: str) -> tuple[Row, ...]:
    """Return the example rows of a template (canonical name → cell text).

    Production figures are language-neutral, so English reuses the Chinese rows.
    """
    language = normalise_locale(locale)
    return EXAMPLES.get((kind, language)) or EXAMPLES[(kind, "zh_CN")]


def header_label(column: Column, locale: str) -> str:
    """Return the header of ``column`` in the template for ``locale``."""
    return column.label_zh if normalise_locale(locale) == "zh_CN" else column.name


def template_bytes(kind: Kind, locale: str, fmt: TemplateFormat) -> bytes:
    """Build a template: one header row in the user's language and a few example rows.

    Parameters
    ----------
    kind
        Import kind.
    locale
        ``zh_CN`` gives Chinese headers, ``en`` the canonical English names.
    fmt
        ``csv`` (UTF-8, with a BOM for Chinese so Excel on Windows detects the encoding) or
        ``xlsx`` (a data sheet and a guide sheet).

    """
    if kind not in VOCABULARY:
        raise ValueError(f"unknown import kind {kind!r}")
    if fmt == "csv":
        return _csv_template(kind, locale)
    if fmt == "xlsx":
        return _xlsx_template(kind, locale)
    raise ValueError(f"unknown template format {fmt!r}")


def write_template(
    kind: Kind, locale: str, fmt: TemplateFormat, dest: str | os.PathLike[str] | BinaryIO
) -> None:
    """Write a template to a path or a binary stream (for example an HTTP response body)."""
    data = template_bytes(kind, locale, fmt)
    if isinstance(dest, str | os.PathLike):
        Path(dest).write_bytes(data)
    else:
        dest.write(data)


def _csv_template(kind: Kind, locale: str) -> bytes:
    columns = VOCABULARY[kind]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header_label(column, locale) for column in columns)
    for row in examples(kind, locale):
        writer.writerow(row.get(column.name, "") for column in columns)
    encoding = "utf-8-sig" if normalise_locale(locale) == "zh_CN" else "utf-8"
    return buffer.getvalue().encode(encoding)


def _xlsx_template(kind: Kind, locale: str) -> bytes:
    translate = translator(locale)
    workbook = openpyxl.Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "数据" if normalise_locale(locale) == "zh_CN" else "data"
    columns = VOCABULARY[kind]
    sheet.append([header_label(column, locale) for column in columns])
    for row in examples(kind, locale):
        sheet.append([_excel_value(column, row.get(column.name)) for column in columns])
    for index, column in enumerate(columns, start=1):
        if column.name in _TEXT_COLUMNS:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = "@"
    _style_header(sheet, len(columns))
    guide = workbook.create_sheet(translate(GUIDE_SHEET))
    guide.append([translate(text) for text in GUIDE_HEADER])
    for column in columns:
        aliases = ", ".join(column.accepted_headers())
        required = translate(YES if column.required else NO)
        guide.append([header_label(column, locale), required, aliases, translate(column.hint)])
    _style_header(guide, len(GUIDE_HEADER))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _excel_value(column: Column, text: str | None) -> str | int | float | None:
    """Store figures as numbers, as a user typing them into Excel would."""
    if text is None or column.name not in _NUMBER_COLUMNS:
        return text
    number = Decimal(text)
    return int(number) if number == number.to_integral_value() else float(number)


def _style_header(sheet: Worksheet, width: int) -> None:
    for (cell,) in sheet.iter_cols(min_row=1, max_row=1, max_col=width):
        cell.font = Font(bold=True)
        sheet.column_dimensions[cell.column_letter].width = 22
    sheet.freeze_panes = "A2"
