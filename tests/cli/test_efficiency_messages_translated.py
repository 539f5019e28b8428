"""Every message the efficiency commands can show has a Chinese translation with the same placeholders."""

from __future__ import annotations

import string

import pytest

from citycarbon.cli import efficiency_commands
from citycarbon.domain.efficiency import card, reasons
from citycarbon.i18n import translator
from citycarbon.refdata import grading
from citycarbon.services import certificate, rating

MODULES = (card, certificate, rating, grading)
HEADINGS = (
    "Rated {rated} of {total} organisations for {period} with {scheme}",
    "Grade distribution",
    "Grade",
    "Not rated",
    "Reason",
    "Watch-lists",
    "Rule",
    "Watch-list for {period}",
    "Name",
    "Movement",
    "Output per mu (10^4 CNY)",
    "entered",
    "stayed",
    "left",
    "unknown",
    "Genuine card",
)


def texts() -> list[str]:
    constants = [
        v for m in MODULES for k, v in vars(m).items() if k.startswith("MSG_") and isinstance(v, str)
    ]
    return sorted({*reasons.MESSAGES.values(), *efficiency_commands.STEPS.values(), *constants, *HEADINGS})


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("text", texts())
def test_translated_with_same_placeholders(text: str) -> None:
    translated = translator("zh_CN")(text)
    assert translated != text, f"no zh_CN translation for {text!r}"
    assert fields(translated) == fields(text)
