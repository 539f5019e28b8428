"""Render a carbon-efficiency card as a one-page PDF with the signed payload in a QR code.

Chinese text uses the embedded font of :mod:`citycarbon.services.pdf_fonts`. The payload is also stored in
the document's ``/Keywords`` entry, which lets ``citycarbon card verify card.pdf`` check the
card offline without decoding the QR image.
"""

from __future__ import annotations

import io

from reportlab.graphics import renderPDF  # type: ignore[import-untyped]
from reportlab.graphics.barcode.qr import QrCodeWidget  # type: ignore[import-untyped]
from reportlab.graphics.shapes import Drawing  # type: ignore[import-untyped]
from reportlab.lib.colors import HexColor  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A5, landscape  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from citycarbon.domain.efficiency.card import CardClaims
from citycarbon.services.pdf_fonts import chinese_font

COLOURS = {
    "dark_green": "#1b7837",
    "light_green": "#7fbf7b",
    "yellow": "#f2c300",
    "orange": "#f46d43",
    "red": "#d73027",
}
QR_SIZE = 150


def _qr(payload: str) -> Drawing:
    widget = QrCodeWidget(payload, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _lines(claims: CardClaims, colour: str) -> list[tuple[str, str]]:
    return [
        ("企业名称 Name", claims.name),
        ("统一社会信用代码 Credit code", claims.uscc),
        ("评价期间 Period", claims.period),
        ("碳效等级 Grade", f"{claims.grade} · {claims.grade_label}"),
        ("碳效水平 Level", claims.level or "—"),
        ("碳效值 K", f"{claims.k_value:.3f}"),
        ("单位增加值碳排放 L (tCO2e/万元)", f"{claims.intensity:.4f}"),
        (f"行业基准 {claims.benchmark_industry} (tCO2e/万元)", f"{claims.benchmark:.4f}"),
        ("评价方案 Scheme", claims.scheme),
        ("颜色 Colour", colour or "—"),
        ("签发时间 Issued (UTC)", claims.issued_at),
        ("签名密钥 Key id", claims.key_id),
    ]


def render_card_pdf(claims: CardClaims, payload: str, colour: str = "") -> bytes:
    """Return the PDF bytes of a card showing ``claims`` with ``payload`` as QR code and metadata."""
    font = chinese_font()
    buffer = io.BytesIO()
    width, height = landscape(A5)
    canvas = Canvas(buffer, pagesize=(width, height), invariant=True)
    canvas.setTitle(f"碳效码 {claims.uscc} {claims.period}")
    canvas.setSubject("citycarbon carbon-efficiency card")
    canvas.setKeywords(payload)
    canvas.setFillColor(HexColor(COLOURS.get(colour, "#4d4d4d")))
    canvas.rect(0, height - 60, width, 60, stroke=0, fill=1)
    canvas.setFillColor(HexColor("#ffffff"))
    canvas.setFont(font, 20)
    canvas.drawString(30, height - 40, "工业企业碳效码 · Carbon-efficiency card")
    canvas.setFillColor(HexColor("#000000"))
    y = height - 90
    for label, value in _lines(claims, colour):
        canvas.setFont(font, 9)
        canvas.drawString(30, y, label)
        canvas.setFont(font, 11)
        canvas.drawString(230, y, value)
        y -= 20
    renderPDF.draw(_qr(payload), canvas, width - QR_SIZE - 30, 60)
    canvas.setFont(font, 7)
    canvas.drawString(width - QR_SIZE - 30, 45, "扫码或 citycarbon card verify 离线验签")
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def read_card_payload(pdf: bytes) -> str | None:
    """The payload stored in a card PDF's ``/Keywords``, or ``None`` when there is none."""
    from pypdf import PdfReader

    try:
        info = PdfReader(io.BytesIO(pdf)).metadata
    except Exception:  # pypdf raises many error types on files that are not PDFs
        return None
    keywords = info.get("/Keywords") if info else None
    return str(keywords) if keywords else None
