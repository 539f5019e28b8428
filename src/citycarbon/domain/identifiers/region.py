"""Administrative division codes (GB/T 2260): province → prefecture → county.

A 6-digit code carries its own hierarchy (``33`` Zhejiang, ``3310`` Taizhou, ``331002``
Jiaojiang), which is what lets the platform roll enterprise figures up to county, city and
province. The catalogue is built from rows handed in by the reference-data loader, so the
domain never reads files and tests can build small catalogues from plain rows.

Codes that have been replaced (331021 玉环县 became 331083 玉环市) stay in the catalogue,
marked with ``replaced_by``: old records still resolve, and validation can tell the user which
code to use instead of a bare "unknown code".

References
----------
GB/T 2260 《中华人民共和国行政区划代码》; NBS statistical division codes (统计用区划代码),
county level and above, which extend GB/T 2260 with functional-zone codes such as 330371.

"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal

from citycarbon.domain.errors import InvalidCode, ReferenceDataError
from citycarbon.domain.identifiers._tree import CodeTree

RegionLevel = Literal["province", "prefecture", "county"]
LEVELS: tuple[RegionLevel, ...] = ("province", "prefecture", "county")

MSG_SHAPE = "A region code has 6 digits, got '{code}'"
MSG_UNKNOWN = "Unknown region code {code}"
MSG_REPLACED = "Region code {code} ({name}) is no longer in use; use {replacement} ({replacement_name})"
MSG_CODE_LEVEL = "Region {code} is listed as {level}, but a code of that form is a {expected}"
MSG_CODE_PARENT = "Region {code} names parent {parent_code}, but its code implies {expected}"
MSG_BAD_REPLACEMENT = "Region {code} is replaced by {replacement}, which is not a current region"

_SHAPE = re.compile(r"^\d{6}$")


@dataclass(frozen=True, slots=True)
class Region:
    """One administrative division.

    Parameters
    ----------
    code
        6-digit code, e.g. ``"331002"``.
    name
        Official Chinese name, e.g. ``"椒江区"``.
    level
        ``province``, ``prefecture`` (地级) or ``county`` (县级, including districts and
        county-level cities).
    parent_code
        Code of the enclosing division; ``None`` for a province.
    replaced_by
        For a retired code, the code that replaced it; ``None`` while the code is in use.

    """

    code: str
    name: str
    level: RegionLevel
    parent_code: str | None
    replaced_by: str | None = None

    @property
    def is_current(self) -> bool:
        """Whether the code is still in use (not replaced)."""
        return self.replaced_by is None


def level_for_code(code: str) -> RegionLevel:
    """Level a well-formed code denotes by its zeros (``xx0000``, ``xxxx00`` or neither)."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def _implied_parent(code: str, level: RegionLevel) -> str | None:
    if level == "province":
        return None
    return code[:2] + "0000" if level == "prefecture" else code[:4] + "00"


class RegionCatalogue:
    """All known divisions, with validation and hierarchy walks.

    Parameters
    ----------
    regions
        Every division, current and retired, in any order.

    Raises
    ------
    ReferenceDataError
        When the rows are inconsistent: a duplicate code, a level or parent that contradicts
        the code, a missing parent, or a replacement that is not itself current.

    """

    def __init__(self, regions: Iterable[Region]) -> None:
        rows = list(regions)
        for region in rows:
            expected = level_for_code(region.code)
            if region.level != expected:
                raise ReferenceDataError(
                    MSG_CODE_LEVEL, code=region.code, level=region.level, expected=expected
                )
            implied = _implied_parent(region.code, region.level)
            if region.parent_code != implied:
                raise ReferenceDataError(
                    MSG_CODE_PARENT,
                    code=region.code,
                    parent_code=region.parent_code,
                    expected=implied,
                )
        self._tree: CodeTree[Region] = CodeTree(rows, LEVELS)
        for region in rows:
            if region.replaced_by is not None:
                replacement = self._tree.get(region.replaced_by)
                if replacement is None or not replacement.is_current:
                    raise ReferenceDataError(
                        MSG_BAD_REPLACEMENT, code=region.code, replacement=region.replaced_by
                    )

    def __len__(self) -> int:
        return len(self._tree)

    def __iter__(self) -> Iterator[Region]:
        return iter(self._tree)

    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.get(code) is not None

    def get(self, code: str) -> Region | None:
        """Division with ``code`` (current or retired), or ``None``; never raises."""
        return self._tree.get(code.strip())

    def _lookup(self, code: str) -> Region:
        text = code.strip()
        if not _SHAPE.match(text):
            raise InvalidCode(MSG_SHAPE, code=code)
        region = self._tree.get(text)
        if region is None:
            raise InvalidCode(MSG_UNKNOWN, code=text)
        return region

    def validate(self, code: str) -> Region:
        """Return the current division for ``code``, or raise :class:`InvalidCode` with the reason.

        Reasons: not 6 digits; unknown; or retired, in which case the message names the
        code that replaced it.

        Examples
        --------
        >>> catalogue = RegionCatalogue([
        ...     Region("330000", "浙江省", "province", None),
        ...     Region("331000", "台州市", "prefecture", "330000"),
        ...     Region("331083", "玉环市", "county", "331000"),
        ...     Region("331021", "玉环县", "county", "331000", replaced_by="331083"),
        ... ])
        >>> catalogue.validate("331083").name
        '玉环市'
        >>> try:
        ...     catalogue.validate("331021")
        ... except InvalidCode as error:
        ...     print(error)
        Region code 331021 (玉环县) is no longer in use; use 331083 (玉环市)

        """
        region = self._lookup(code)
        if region.replaced_by is not None:
            replacement = self._lookup(region.replaced_by)
            raise InvalidCode(
                MSG_REPLACED,
                code=region.code,
                name=region.name,
                replacement=replacement.code,
                replacement_name=replacement.name,
            )
        return region

    def resolve(self, code: str) -> Region:
        """Return the current division for ``code``, following a replacement (legacy records)."""
        region = self._lookup(code)
        return region if region.replaced_by is None else self._lookup(region.replaced_by)

    def level_of(self, code: str) -> RegionLevel:
        """Level of the division ``code`` (retired codes included)."""
        return self._lookup(code).level

    def parent(self, code: str) -> Region | None:
        """Enclosing division; ``None`` for a province."""
        return self._tree.parent(self._lookup(code))

    def ancestors(self, code: str) -> tuple[Region, ...]:
        """Enclosing divisions, nearest first: county → prefecture → province."""
        return self._tree.ancestors(self._lookup(code))

    def children(self, code: str) -> tuple[Region, ...]:
        """List the current divisions directly below ``code``, in code order."""
        return tuple(r for r in self._tree.children(self._lookup(code)) if r.is_current)

    def descendants(self, code: str) -> tuple[Region, ...]:
        """Every current division below ``code`` (a prefecture precedes its counties)."""
        return tuple(r for r in self._tree.descendants(self._lookup(code)) if r.is_current)

    def is_within(self, code: str, area_code: str) -> bool:
        """Whether division ``code`` is ``area_code`` itself or lies inside it."""
        area = self._lookup(area_code)
        region = self._lookup(code)
        return region == area or area in self._tree.ancestors(region)

    def provinces(self) -> tuple[Region, ...]:
        """All provincial-level divisions, in code order."""
        return tuple(r for r in self._tree if r.level == "province")
