"""The column vocabulary of each import kind, and matching of user headers against it.

Enterprises fill in templates in Chinese or English, and often retype headers by hand. Matching
forgives what carries no meaning (case, surrounding spaces, full-width brackets) and accepts a
short, explicit list of synonyms, but nothing more: a header such as ``数量(吨)`` is rejected,
because silently accepting a unit in a header would let it disagree with the unit column.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal, get_args

from citycarbon.domain.errors import Problem, ValidationFailed

Kind = Literal["activity", "organisation", "production"]
KINDS: tuple[Kind, ...] = get_args(Kind)

MSG_UNKNOWN_COLUMN = "Column {column} is not a recognised column; allowed columns are: {allowed}"
MSG_UNIT_IN_HEADER = (
    "Column {column} adds a unit or note in brackets; use exactly {expected} "
    "and give units in the unit column"
)
MSG_MISSING_COLUMN = "Required column {column} is missing"
MSG_DUPLICATE_COLUMN = "Columns {first} and {column} both mean {canonical}; keep only one of them"
MSG_NO_HEADER = "Row 1 must hold the column headers"
MSG_UNKNOWN_KIND = (
    "Row 1 does not hold the column headers of any import template; remove title rows "
    "above the headers, or download a template and copy your data into it"
)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an import template.

    Parameters
    ----------
    name
        Canonical English name; also the header of the English template.
    label_zh
        Header of the Chinese template.
    required
        Whether a file without this column is rejected.
    aliases
        Further headers accepted for this column, matched after normalisation.
    hint
        English guide text (a gettext msgid) shown in the template's guide sheet.

    """

    name: str
    label_zh: str
    required: bool
    aliases: tuple[str, ...] = ()
    hint: str = ""

    def accepted_headers(self) -> tuple[str, ...]:
        """Return every header that means this column, before normalisation."""
        return (self.name, self.label_zh, *self.aliases)

    def display_name(self) -> str:
        """Return the name shown in messages, readable whichever template the user holds."""
        return f"{self.label_zh} ({self.name})"


_USCC = Column(
    "uscc",
    "统一社会信用代码",
    True,
    ("信用代码", "社会信用代码", "credit_code"),
    "18-character unified social credit code, e.g. 91330100716105852F",
)
_PERIOD = Column("period", "期间", True, ("年月", "统计期"), "Reporting month as YYYY-MM, e.g. 2024-01")

VOCABULARY: Mapping[Kind, tuple[Column, ...]] = MappingProxyType(
    {
        "activity": (
            _USCC,
            Column("site", "厂区/站点", False, ("厂区", "站点"), "Site or plant name, if several"),
            _PERIOD,
            Column(
                "category",
                "类别",
                True,
                hint="One of fuel, electricity, heat, process (or 燃料, 电力, 热力, 过程)",
            ),
            Column("item", "品种", True, ("能源品种",), "Energy or material, e.g. raw coal"),
            Column("quantity", "数量", True, hint="Amount consumed, a plain number without unit"),
            Column("unit", "单位", True, ("计量单位",), "Unit of the quantity, e.g. t, MWh, GJ"),
            Column("certificate", "绿证编号", False, hint="Green electricity certificate number"),
            Column("note", "备注", False, hint="Free text"),
        ),
        "organisation": (
            _USCC,
            Column("name", "名称", True, ("企业名称",), "Registered name"),
            Column(
                "kind",
                "主体类型",
                False,
                hint="One of enterprise, individual_business, park (or 企业, 个体工商户, 园区)",
            ),
            Column("industry_code", "行业代码", True, hint="Industry code per GB/T 4754"),
            Column("region_code", "行政区划代码", True, hint="6-digit administrative region code"),
            Column("area_mu", "用地面积（亩）", False, hint="Land area in mu"),
            Column(
                "legacy_uscc_reason",
                "代码校验豁免说明",
                False,
                hint="Why a credit code that fails the check digit is still correct",
            ),
        ),
        "production": (
            _USCC,
            _PERIOD,
            Column("output_value_10k_cny", "工业总产值（万元）", False, hint="In 10,000 CNY"),
            Column("value_added_10k_cny", "工业增加值（万元）", False, hint="In 10,000 CNY"),
            Column("product_code", "产品代码", False, hint="Product code"),
            Column("product_output", "产品产量", False, hint="Output of the product"),
            Column("product_unit", "产品单位", False, hint="Unit of the product output"),
        ),
    }
)

_BRACKETED_SUFFIX = re.compile(r"\s*\([^()]*\)$")


def normalise_header(header: str) -> str:
    """Return the form of ``header`` used for matching.

    NFKC folds full-width brackets and letters to their half-width forms, which is how the
    same header typed with a Chinese or an English input method compares equal.
    """
    return unicodedata.normalize("NFKC", header).strip().casefold()


def _lookup(kind: Kind) -> dict[str, Column]:
    return {
        normalise_header(header): column
        for column in VOCABULARY[kind]
        for header in column.accepted_headers()
    }


def _unknown_problem(kind: Kind, header: str, lookup: Mapping[str, Column]) -> Problem:
    base = _BRACKETED_SUFFIX.sub("", normalise_header(header))
    stripped = {_BRACKETED_SUFFIX.sub("", key): column for key, column in lookup.items()}
    if base and base in stripped:
        return Problem(
            MSG_UNIT_IN_HEADER,
            row=1,
            column=header,
            params={"column": header, "expected": stripped[base].display_name()},
        )
    allowed = ", ".join(column.display_name() for column in VOCABULARY[kind])
    return Problem(MSG_UNKNOWN_COLUMN, row=1, column=header, params={"column": header, "allowed": allowed})


def map_headers(kind: Kind, headers: Sequence[str]) -> tuple[dict[str, str], list[Problem]]:
    """Match the header row of a file against the vocabulary of ``kind``.

    Blank headers are skipped here; the reader decides whether their cells hold data.

    Parameters
    ----------
    kind
        Import kind whose vocabulary applies.
    headers
        Header cells as they appear in the file, left to right.

    Returns
    -------
    tuple
        The mapping canonical name → header as written, and the problems found (unknown,
        duplicated and missing required columns), all reported on row 1.

    """
    lookup = _lookup(kind)
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for header in headers:
        if not normalise_header(header):
            continue
        column = lookup.get(normalise_header(header))
        if column is None:
            problems.append(_unknown_problem(kind, header, lookup))
        elif column.name in mapping:
            params = {"first": mapping[column.name], "column": header, "canonical": column.name}
            problems.append(Problem(MSG_DUPLICATE_COLUMN, row=1, column=header, params=params))
        else:
            mapping[column.name] = header
    for column in VOCABULARY[kind]:
        if column.required and column.name not in mapping:
            params = {"column": column.display_name()}
            problems.append(Problem(MSG_MISSING_COLUMN, row=1, params=params))
    return mapping, problems


def detect_kind(headers: Sequence[str]) -> Kind | None:
    """Guess which kind of data a header row belongs to.

    The kind whose vocabulary leaves the fewest header problems wins, ties going to the kind
    that recognises more headers, so that a file with one mistyped header is still reported
    against the template it was meant for rather than rejected as unknown.

    Returns
    -------
    Kind or None
        ``None`` when no header belongs to any kind.

    """
    best: tuple[int, int] | None = None
    chosen: Kind | None = None
    for kind in KINDS:
        mapping, problems = map_headers(kind, headers)
        score = (len(problems), -len(mapping))
        if mapping and (best is None or score < best):
            best, chosen = score, kind
    return chosen


def resolve_headers(headers: Sequence[str], kind: Kind | None) -> tuple[Kind, dict[str, str]]:
    """Settle the kind of a file and its header mapping, or stop the import.

    Parameters
    ----------
    headers
        Header cells as they appear in the file.
    kind
        Kind the user chose, or ``None`` to detect it.

    Returns
    -------
    tuple
        The kind and the mapping canonical name → header as written.

    Raises
    ------
    ValidationFailed
        When row 1 is blank, matches no kind, or has header problems.

    """
    if not any(normalise_header(cell) for cell in headers):
        raise ValidationFailed([Problem(MSG_NO_HEADER, row=1)])
    chosen = kind or detect_kind(headers)
    if chosen is None:
        raise ValidationFailed([Problem(MSG_UNKNOWN_KIND, row=1)])
    mapping, problems = map_headers(chosen, headers)
    if problems:
        raise ValidationFailed(problems)
    return chosen, mapping
