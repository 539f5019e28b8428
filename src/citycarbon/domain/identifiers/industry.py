"""Industry codes (GB/T 4754-2017): section → division → group → class.

Enterprises report their industry in several spellings (``C2611``, ``2611``, ``C26``, ``26``
or just ``C``), so every code is normalised to one canonical form, the section letter followed
by the digits (``C2611``). The letter is redundant — the division number implies it — which is
why a letter that contradicts the division is rejected rather than silently replaced: it
usually means the user copied the wrong code.

Benchmarks such as Zhejiang's carbon-efficiency grades are set per division, hence
:meth:`IndustryCatalogue.at_level` to lift a class to its division.

References
----------
GB/T 4754-2017 《国民经济行业分类》, §4 (coding method).

"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from citycarbon.domain.errors import InvalidCode, ReferenceDataError
from citycarbon.domain.identifiers._tree import CodeTree

IndustryLevel = Literal["section", "division", "group", "class"]
LEVELS: tuple[IndustryLevel, ...] = ("section", "division", "group", "class")
_LEVEL_BY_DIGITS: dict[int, IndustryLevel] = {0: "section", 2: "division", 3: "group", 4: "class"}

MSG_SHAPE = (
    "Industry code '{code}' is not of the form section letter and/or 2 to 4 digits "
    "(e.g. C, C26, 2611 or C2611)"
)
MSG_UNKNOWN = "Unknown industry code {code}"
MSG_SECTION_MISMATCH = (
    "Section letter {letter} does not match division {division}, which belongs to section {section}"
)
MSG_NO_SUCH_LEVEL = "Industry code {code} is a {level}; it has no {target_level} above it"
MSG_ROW_FORM = "Industry {code} is listed as {level}, but a code of that form is a {expected}"
MSG_ROW_PARENT = "Industry {code} names parent {parent_code}, but its code implies {expected}"

_INPUT = re.compile(r"^([A-Z]?)(\d{2,4})?$")
_CANONICAL = re.compile(r"^[A-Z](\d{2,4})?$")


@dataclass(frozen=True, slots=True)
class Industry:
    """One node of the classification.

    Parameters
    ----------
    code
        Canonical code: section letter plus digits, e.g. ``"C"``, ``"C26"``, ``"C261"``,
        ``"C2611"``.
    name
        Official Chinese name, e.g. ``"无机酸制造"``.
    level
        ``section`` (门类), ``division`` (大类), ``group`` (中类) or ``class`` (小类).
    parent_code
        Canonical code of the node one level up; ``None`` for a section.

    """

    code: str
    name: str
    level: IndustryLevel
    parent_code: str | None

    @property
    def digits(self) -> str:
        """The code without its section letter (``"2611"``), as many forms print it."""
        return self.code[1:]


def _check_row(industry: Industry) -> None:
    """Refuse a row whose level or parent contradicts the shape of its code."""
    if not _CANONICAL.match(industry.code):
        raise ReferenceDataError(MSG_SHAPE, code=industry.code)
    expected = _LEVEL_BY_DIGITS[len(industry.digits)]
    if industry.level != expected:
        raise ReferenceDataError(MSG_ROW_FORM, code=industry.code, level=industry.level, expected=expected)
    implied = {"section": None, "division": industry.code[0]}.get(expected, industry.code[:-1])
    if industry.parent_code != implied:
        raise ReferenceDataError(
            MSG_ROW_PARENT, code=industry.code, parent_code=industry.parent_code, expected=implied
        )


class IndustryCatalogue:
    """The whole classification, with normalisation, validation and hierarchy walks.

    Parameters
    ----------
    industries
        Every section, division, group and class, in any order.

    Raises
    ------
    ReferenceDataError
        When a row's level contradicts its code, or a parent is missing or at the wrong level.

    """

    def __init__(self, industries: Iterable[Industry]) -> None:
        rows = list(industries)
        for industry in rows:
            _check_row(industry)
        self._tree: CodeTree[Industry] = CodeTree(rows, LEVELS)
        self._section_of_division = {row.digits: row.code[0] for row in rows if row.level == "division"}

    def __len__(self) -> int:
        return len(self._tree)

    def __iter__(self) -> Iterator[Industry]:
        return iter(self._tree)

    def at_each_level(self, level: IndustryLevel) -> tuple[Industry, ...]:
        """All nodes of one level, in code order (e.g. the 97 divisions)."""
        return tuple(node for node in self._tree if node.level == level)

    def validate(self, code: str) -> Industry:
        """Return the node for ``code`` in any accepted spelling, or raise :class:`InvalidCode`.

        Reasons: a malformed code; a section letter that does not match the division; or a
        well-formed code that the classification does not contain.

        Examples
        --------
        >>> catalogue = IndustryCatalogue([
        ...     Industry("C", "制造业", "section", None),
        ...     Industry("C26", "化学原料和化学制品制造业", "division", "C"),
        ...     Industry("C261", "基础化学原料制造", "group", "C26"),
        ...     Industry("C2611", "无机酸制造", "class", "C261"),
        ... ])
        >>> catalogue.validate("2611").code
        'C2611'
        >>> catalogue.validate(" c26 ").name
        '化学原料和化学制品制造业'

        """
        text = code.strip().upper()
        match = _INPUT.match(text)
        if not text or match is None:
            raise InvalidCode(MSG_SHAPE, code=code)
        letter, digits = match.group(1), match.group(2) or ""
        if digits:
            section = self._section_of_division.get(digits[:2])
            if section is None:
                raise InvalidCode(MSG_UNKNOWN, code=text)
            if letter and letter != section:
                raise InvalidCode(MSG_SECTION_MISMATCH, letter=letter, division=digits[:2], section=section)
            letter = section
        node = self._tree.get(letter + digits)
        if node is None:
            raise InvalidCode(MSG_UNKNOWN, code=text)
        return node

    def normalise(self, code: str) -> str:
        """Spell ``code`` canonically (``"2611"`` → ``"C2611"``); raises like :meth:`validate`."""
        return self.validate(code).code

    def level_of(self, code: str) -> IndustryLevel:
        """Level of ``code``."""
        return self.validate(code).level

    def parent(self, code: str) -> Industry | None:
        """Node one level up; ``None`` for a section."""
        return self._tree.parent(self.validate(code))

    def ancestors(self, code: str) -> tuple[Industry, ...]:
        """Nodes above ``code``, nearest first: class → group → division → section."""
        return self._tree.ancestors(self.validate(code))

    def children(self, code: str) -> tuple[Industry, ...]:
        """Nodes directly below ``code``, in code order."""
        return self._tree.children(self.validate(code))

    def descendants(self, code: str) -> tuple[Industry, ...]:
        """Every node below ``code`` (a group precedes its classes)."""
        return self._tree.descendants(self.validate(code))

    def at_level(self, code: str, level: IndustryLevel) -> Industry:
        """Return the node at ``level`` containing ``code`` (itself when already at that level).

        Raises
        ------
        InvalidCode
            When ``code`` is invalid or sits above ``level`` (a division has no class).

        Examples
        --------
        >>> catalogue = IndustryCatalogue([
        ...     Industry("C", "制造业", "section", None),
        ...     Industry("C26", "化学原料和化学制品制造业", "division", "C"),
        ...     Industry("C261", "基础化学原料制造", "group", "C26"),
        ...     Industry("C2611", "无机酸制造", "class", "C261"),
        ... ])
        >>> catalogue.at_level("2611", "division").code
        'C26'

        """
        node = self.validate(code)
        for candidate in (node, *self._tree.ancestors(node)):
            if candidate.level == level:
                return candidate
        raise InvalidCode(MSG_NO_SUCH_LEVEL, code=node.code, level=node.level, target_level=level)

    def section_of(self, code: str) -> Industry:
        """Section (门类) that contains ``code``."""
        return self.at_level(code, "section")

    def division_of(self, code: str) -> Industry:
        """Division (大类) that contains ``code``; raises for a bare section."""
        return self.at_level(code, "division")
