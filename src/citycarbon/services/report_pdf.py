"""The carbon report as a PDF, in the reader's language, with its Chinese font embedded.

Like the efficiency card (:mod:`citycarbon.services.card_pdf`), text uses the font chosen by
:mod:`citycarbon.services.pdf_fonts` (an embedded TrueType CJK font); it also covers Latin text,
so one font serves both languages.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from citycarbon.i18n import translator
from citycarbon.services.pdf_fonts import chinese_font
from citycarbon.services.reporting import TOTAL_FIELDS

MSG_REPORT_TITLE = "Carbon report"
HEADINGS = ("Period", "Scope 1 (tCO2e)", "Scope 2 (tCO2e)", "Total (tCO2e)", "Energy (tce)")
COLUMNS_X = (40, 140, 240, 340, 440)
MARGIN = 50


def _number(value: float) -> str:
    return f"{value:,.2f}"


def render_report_pdf(report: dict[str, Any], locale: str | None) -> bytes:
    """Return PDF bytes: the organisation, then totals by period and scope, then the sum.

    Parameters
    ----------
    report
        As returned by :func:`citycarbon.services.reporting.build_report`.
    locale
        Language of labels (``zh_CN`` or ``en``); figures are the same in both.

    """
    font = chinese_font()
    tr = translator(locale)
    org = report["organisation"]
    buffer = io.BytesIO()
    _, height = A4
    canvas = Canvas(buffer, pagesize=A4, invariant=True)
    canvas.setTitle(f"{tr(MSG_REPORT_TITLE)} {org['uscc']}")
    canvas.setFont(font, 18)
    canvas.drawString(40, height - 60, f"{tr(MSG_REPORT_TITLE)} · {org['name']}")
    canvas.setFont(font, 10)
    y = height - 85
    for label, value in (
        ("Credit code", org["uscc"]),
        ("Industry", org["industry_code"] or "—"),
        ("Region", org["region_code"]),
    ):
        canvas.drawString(40, y, f"{tr(label)}: {value}")
        y -= 16
    y -= 10
    y = _row(canvas, y, [tr(h) for h in HEADINGS], bold=True)
    for period in report["periods"]:
        if y < MARGIN:
            canvas.showPage()
            y = height - MARGIN
        y = _row(canvas, y, [period["period"], *(_number(period[f]) for f in TOTAL_FIELDS)])
    _row(canvas, y - 4, [tr("Total"), *(_number(report["totals"][f]) for f in TOTAL_FIELDS)], bold=True)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _row(canvas: Canvas, y: float, cells: list[str], bold: bool = False) -> float:
    canvas.setFont(chinese_font(), 10 if bold else 9)
    for x, cell in zip(COLUMNS_X, cells, strict=True):
        canvas.drawString(x, y, cell)
    return y - 16
