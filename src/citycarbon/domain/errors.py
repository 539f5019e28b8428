"""Errors and problems that carry a message id, so every adapter can show them in the user's language.

A message is an English template (the gettext msgid) with ``{name}`` placeholders. Adapters
translate the template with :func:`citycarbon.i18n.translate` and then format it, so the domain
never needs to know which language the user reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one cell (or row, or file) of user input.

    Parameters
    ----------
    message
        English message template, also the translation key.
    row
        1-based row number as the user sees it in the file (header is row 1), or ``None``.
    column
        Column name as it appeared in the file, or ``None`` for a whole-row problem.
    params
        Values for the template placeholders.
    """

    message: str
    row: int | None = None
    column: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)

    def render(self, translate: Any = None) -> str:
        """Return the message in the language of ``translate`` (English when not given)."""
        template = translate(self.message) if translate else self.message
        return str(template).format(**self.params)


class CityCarbonError(Exception):
    """Base error with a translatable message; never shown to users as a traceback."""

    def __init__(self, message: str, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def render(self, translate: Any = None) -> str:
        """Return the message in the language of ``translate`` (English when not given)."""
        template = translate(self.message) if translate else self.message
        return str(template).format(**self.params)


class InvalidCode(CityCarbonError):
    """An identifier (credit code, region code, industry code) that fails validation."""


class UnitError(CityCarbonError):
    """A unit that is unknown or does not fit the item it is reported for."""


class ReferenceDataError(CityCarbonError):
    """Reference data that is missing, malformed or tampered with."""


class FactorNotFound(CityCarbonError):
    """No factor in the selected factor set covers the requested item and year."""


class ValidationFailed(CityCarbonError):
    """Input with one or more problems; carries all of them so users can fix everything at once."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("{count} problem(s) found; nothing was written", count=len(self.problems))
