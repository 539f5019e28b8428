"""Load the default MRV parameters of carbon sinks (shellfish/seaweed and afforestation species).

Parameters reach the domain formulas as :class:`~citycarbon.domain.sinks.mrv.ParameterValue`
objects that keep their unit, source and status, so every monitoring report can store exactly
which default it used (lineage) and a reviewer can see that forestry defaults are unverified.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Literal

from pydantic import Field

from citycarbon.domain.errors import ReferenceDataError
from citycarbon.domain.sinks.mrv import (
    FORESTRY_PARAMETERS,
    SHELLFISH_PARAMETERS,
    ParameterBook,
    ParameterValue,
)
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import SourcedRow

SHELLFISH_DATASET = "sink_shellfish"
FORESTRY_DATASET = "sink_forestry"

MSG_INCOMPLETE = "{factor_set}: species {species} lacks the parameter(s) {parameters}"

Code = Field(pattern=r"^[a-z][a-z0-9_]*$")


class ShellfishCoefficientRow(SourcedRow):
    """One coefficient (a fraction) of one farmed shellfish or seaweed species."""

    species_code: str = Code
    name_zh: str
    name_en: str
    group: Literal["shellfish", "seaweed"]
    parameter: Literal["dry_wet_ratio", "soft_tissue_share", "shell_share", "c_soft_tissue", "c_shell"]
    value: float = Field(ge=0, le=1)


class ForestryParameterRow(SourcedRow):
    """One default parameter of one afforestation species."""

    species_code: str = Code
    name_zh: str
    name_en: str
    parameter: Literal[
        "basic_wood_density", "biomass_expansion_factor", "root_shoot_ratio", "carbon_fraction"
    ]
    value: float = Field(gt=0)


def _book(rows: tuple[ShellfishCoefficientRow, ...] | tuple[ForestryParameterRow, ...]) -> ParameterBook:
    book: dict[str, dict[str, ParameterValue]] = {}
    for row in rows:
        book.setdefault(row.species_code, {})[row.parameter] = ParameterValue(
            row.species_code, row.parameter, Decimal(str(row.value)), row.unit, row.source, row.status
        )
    return book


@cache
def load_shellfish_parameters(version: str | None = None) -> tuple[ParameterBook, str]:
    """Coefficients by species code and parameter, and the set's ``dataset@version``.

    References
    ----------
    孙康 et al. 2020, 地理研究 39(11):2508, Table 2; HY/T 0305-2021.

    """
    dataset = load_dataset(SHELLFISH_DATASET, "coefficients.csv", ShellfishCoefficientRow, version)
    book = _book(dataset.rows)
    _require_complete(book, SHELLFISH_PARAMETERS, dataset.factor_set)
    return book, dataset.factor_set


@cache
def load_forestry_parameters(version: str | None = None) -> tuple[ParameterBook, str]:
    """Tree parameters by species code and parameter, and the set's ``dataset@version``.

    References
    ----------
    CCER-14-001-V01 造林碳汇 (MEE 2023); AR-CM-001-V01 (2014).

    """
    dataset = load_dataset(FORESTRY_DATASET, "parameters.csv", ForestryParameterRow, version)
    book = _book(dataset.rows)
    _require_complete(book, FORESTRY_PARAMETERS, dataset.factor_set)
    return book, dataset.factor_set


def _require_complete(book: ParameterBook, names: tuple[str, ...], factor_set: str) -> None:
    # A species with a missing parameter would fail only when first reported; fail at load instead.
    for species, parameters in book.items():
        missing = [name for name in names if name not in parameters]
        if missing:
            raise ReferenceDataError(
                MSG_INCOMPLETE, factor_set=factor_set, species=species, parameters=", ".join(missing)
            )
