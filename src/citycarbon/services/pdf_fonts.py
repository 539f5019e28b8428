"""The Chinese font of generated PDFs, embedded so every reader shows the same glyphs.

Reports and grade cards are evidence handed to banks and verifiers; a PDF that relies on the
reader's own CJK fonts may render differently or not at all, so a TrueType font from Debian's
``fonts-wqy-zenhei`` (installed by ``scripts/run`` and ``scripts/test``) is embedded as a subset.
Only when no such font is installed does the PDF fall back to the standard CID font
STSong-Light, which conforming readers supply but which is not embedded.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

EMBEDDED_FONT = "citycarbon-cjk"
FALLBACK_FONT = "STSong-Light"
#: TrueType (not CFF-based OpenType, which ReportLab cannot embed) CJK fonts, in order of preference.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)


def font_file() -> Path | None:
    """The TrueType file to embed: ``CITYCARBON_PDF_FONT`` if set, else the first installed candidate."""
    configured = os.environ.get("CITYCARBON_PDF_FONT")
    for candidate in (configured, *CANDIDATES):
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@cache
def chinese_font() -> str:
    """Register (once) and return the name of the font to write Chinese text with."""
    path = font_file()
    if path is not None:
        pdfmetrics.registerFont(TTFont(EMBEDDED_FONT, str(path), subfontIndex=0))
        return EMBEDDED_FONT
    pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT
