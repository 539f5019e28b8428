"""Load the shipped carbon-efficiency grading schemes and watch-list rules.

The files go through :func:`citycarbon.refdata.loader.load_dataset` (sha256 against the
manifest, strict row validation), and the rows are assembled into domain
:class:`~citycarbon.domain.efficiency.schemes.GradingScheme` values, whose own checks refuse
gaps or overlaps between bands. Band limits are written as ``lower_exclusive`` and
``upper_inclusive`` rather than a single ``value`` because a band has two ends.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Literal

from pydantic import Field, field_validator

from citycarbon.domain.efficiency.schemes import MSG_UNKNOWN_DIMENSION, Band, Dimension, GradingScheme, Metric
from citycarbon.domain.efficiency.settings import PercentileScope, WatchRule
from citycarbon.domain.errors import ReferenceDataError
from citycarbon.refdata.loader import latest_version, load_dataset
from citycarbon.refdata.schema import Status, Strict

DATASET = "grading_schemes"
DEFAULT_SCHEME = "huzhou"
MSG_UNKNOWN_SCHEME = "Unknown grading scheme '{scheme}'; shipped schemes: {known}"

# Currency is not in the unit registry yet, so intensity units are checked against a fixed list.
BandUnit = Literal["dimensionless", "tCO2e/(10^4 CNY)"]


class _Row(Strict):
    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class SchemeRow(_Row):
    """One row of ``schemes.csv``."""

    scheme_code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    grade_dimensions: str
    level_dimension: str | None = None
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None


class BandRow(_Row):
    """One row of ``bands.csv``: a band of one dimension of one scheme."""

    scheme_code: str
    dimension: str
    metric: Metric
    band_code: str
    rank: int = Field(ge=1)
    lower_exclusive: float | None = None
    upper_inclusive: float | None = None
    unit: BandUnit
    label_zh: str
    label_en: str
    colour: str | None = None
    colour_status: Status | None = None
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None


class WatchRuleRow(_Row):
    """One row of ``watch_rules.csv``."""

    rule_code: str
    name_zh: str
    name_en: str
    min_energy_tce: float | None = None
    grades: str | None = None
    max_output_per_mu_percentile: float | None = None
    percentile_scope: PercentileScope | None = None
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str | None = None

    def to_rule(self) -> WatchRule:
        """Convert the row into the domain rule."""
        return WatchRule(
            rule_code=self.rule_code,
            name_zh=self.name_zh,
            name_en=self.name_en,
            min_energy_tce=self.min_energy_tce,
            grades=tuple(int(g) for g in self.grades.split("|")) if self.grades else (),
            max_output_per_mu_percentile=self.max_output_per_mu_percentile,
            percentile_scope=self.percentile_scope or "all",
        )


def _dimensions(rows: tuple[BandRow, ...]) -> dict[tuple[str, str], Dimension]:
    grouped: dict[tuple[str, str], list[BandRow]] = defaultdict(list)
    for row in rows:
        grouped[(row.scheme_code, row.dimension)].append(row)
    dimensions = {}
    for (scheme, name), bands in grouped.items():
        bands.sort(key=lambda row: row.rank)
        dimensions[(scheme, name)] = Dimension(
            name,
            bands[0].metric,
            tuple(
                Band(
                    b.band_code,
                    b.rank,
                    b.lower_exclusive,
                    b.upper_inclusive,
                    b.label_zh,
                    b.label_en,
                    b.colour or "",
                )
                for b in bands
            ),
        )
    return dimensions


@cache
def load_grading_schemes(version: str | None = None) -> dict[str, GradingScheme]:
    """All schemes of one dataset version (the newest by default), keyed by scheme code.

    Raises
    ------
    ReferenceDataError
        When a file does not match its digest, a row is malformed, or bands of a dimension
        leave a gap, overlap, or are not ranked 1, 2, ….

    """
    version = version or latest_version(DATASET)
    schemes = load_dataset(DATASET, "schemes.csv", SchemeRow, version).rows
    dimensions = _dimensions(load_dataset(DATASET, "bands.csv", BandRow, version).rows)
    found = {}
    for row in schemes:
        names = [*row.grade_dimensions.split("|"), *([row.level_dimension] if row.level_dimension else [])]
        for name in names:
            if (row.scheme_code, name) not in dimensions:
                raise ReferenceDataError(MSG_UNKNOWN_DIMENSION, scheme=row.scheme_code, dimension=name)
        found[row.scheme_code] = GradingScheme(
            code=row.scheme_code,
            version=version,
            name_zh=row.name_zh,
            name_en=row.name_en,
            grade_dimensions=tuple(dimensions[(row.scheme_code, n)] for n in row.grade_dimensions.split("|")),
            level_dimension=dimensions[(row.scheme_code, row.level_dimension)]
            if row.level_dimension
            else None,
            status=row.status,
        )
    return found


def load_grading_scheme(code: str = DEFAULT_SCHEME, version: str | None = None) -> GradingScheme:
    """One scheme by code; raises :class:`ReferenceDataError` naming the shipped ones."""
    schemes = load_grading_schemes(version)
    if code not in schemes:
        raise ReferenceDataError(MSG_UNKNOWN_SCHEME, scheme=code, known=", ".join(sorted(schemes)))
    return schemes[code]


@cache
def load_watch_rules(version: str | None = None) -> tuple[WatchRule, ...]:
    """The shipped watch-list rules of one dataset version (the newest by default)."""
    rows = load_dataset(DATASET, "watch_rules.csv", WatchRuleRow, version or latest_version(DATASET)).rows
    return tuple(row.to_rule() for row in rows)
