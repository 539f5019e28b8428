"""Strict schemas of the reference data files, so a malformed file fails loudly at start-up.

Every row keeps its ``source`` and ``status``; values are stored in the unit named on the row,
and the unit must parse in the project's registry.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from citycarbon.domain.errors import UnitError
from citycarbon.domain.units import parse_unit


def _check_unit(value: str) -> str:
    if value != "dimensionless":
        try:
            parse_unit(value)
        except UnitError as error:
            raise ValueError(str(error)) from None
    return value


UnitString = Annotated[str, AfterValidator(_check_unit)]
Status = Annotated[str, Field(pattern=r"^(VERIFIED|PARTIAL|UNVERIFIED)\b")]


class Strict(BaseModel):
    """Base of every reference-data model: unknown columns and coercion surprises are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class FileEntry(Strict):
    """A data file listed in a manifest, with the digest that makes tampering visible."""

    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class Manifest(Strict):
    """Who published a dataset version, and which files (with digests) belong to it."""

    dataset: str
    version: str
    title: str
    publisher: str
    document: str
    url: str
    published: str
    licence: str
    valid_from_year: int
    valid_to_year: int | None
    files: dict[str, FileEntry]

    @field_validator("published", mode="before")
    @classmethod
    def _date_as_text(cls, value: object) -> str:
        return str(value)


class SourcedRow(Strict):
    """Columns every factor row carries (style guide §4)."""

    value: float
    unit: UnitString
    valid_from: int
    status: Status
    source: str = Field(min_length=1)
    note: str = ""


class FuelRow(Strict):
    """One fuel of the catalogue: its names and the unit its quantity is accounted in."""

    fuel_code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    aliases: str = ""
    activity_unit: Literal["t", "e4Nm3"]
    ipcc_family: Literal["coal", "oil", "gas"]
    source: str = Field(min_length=1)


class FuelParameterRow(SourcedRow):
    """One parameter (NCV, carbon content per unit heat, oxidation rate) of one fuel."""

    fuel_code: str
    parameter: Literal["ncv", "carbon_content", "oxidation_rate"]


class GridFactorRow(SourcedRow):
    """Electricity emission factor of one grid for one data year."""

    grid_code: str
    method: Literal["location", "residual", "fossil", "ets"]
    document: str
    issuer: str
    published: str


class GridRow(Strict):
    """A grid that has published factors, and where its market-based residual factor lives."""

    grid_code: str
    name_zh: str
    name_en: str
    kind: Literal["national", "regional", "provincial"]
    residual_grid_code: str
    source: str = Field(min_length=1)
    note: str = ""


class HeatFactorRow(SourcedRow):
    """Emission factor of net purchased heat of one kind (steam, hot water)."""

    item_code: Literal["steam", "hot_water"]


class StandardCoalRow(SourcedRow):
    """GB/T 2589 standard-coal coefficient of one energy carrier."""

    item_code: str
    name_zh: str


class GwpRow(SourcedRow):
    """100-year global warming potential of one gas in one metric vintage."""

    metric: Literal["AR5GWP100", "AR6GWP100"]
    gas: Literal["CO2", "CH4", "N2O"]


class NonCo2Row(SourcedRow):
    """Default CH4 or N2O factor of stationary combustion for one fuel family."""

    ipcc_family: Literal["coal", "oil", "gas"]
    gas: Literal["CH4", "N2O"]


class ProcessParameterRow(SourcedRow):
    """One parameter of one industrial process (oxide fraction or carbonate factor)."""

    process_code: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name_zh: str
    name_en: str
    parameter: Literal["cao_fraction", "mgo_fraction", "carbonate_factor"]
