"""Generated PDFs embed their Chinese font, so every reader shows the same text."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from citycarbon.services.pdf_fonts import EMBEDDED_FONT, chinese_font, font_file


@pytest.mark.skipif(font_file() is None, reason="no TrueType CJK font installed (scripts/test installs one)")
def test_chinese_text_is_written_with_an_embedded_font() -> None:
    assert chinese_font() == EMBEDDED_FONT
    buffer = io.BytesIO()
    canvas = Canvas(buffer)
    canvas.setFont(chinese_font(), 12)
    canvas.drawString(50, 800, "台州市碳排放报告")
    canvas.save()
    page = PdfReader(io.BytesIO(buffer.getvalue())).pages[0]
    assert "台州市碳排放报告" in page.extract_text()
    fonts = [font.get_object() for font in page["/Resources"]["/Font"].values()]
    descriptors = [font["/FontDescriptor"].get_object() for font in fonts if "/FontDescriptor" in font]
    assert any("/FontFile2" in descriptor for descriptor in descriptors)
