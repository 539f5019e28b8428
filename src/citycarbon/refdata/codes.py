"""Load the region (GB/T 2260) and industry (GB/T 4754) code lists shipped with the package.

The files go through :func:`citycarbon.refdata.loader.load_dataset`, so their sha256 is
checked against the manifest and every row is validated strictly before a catalogue is built;
a tampered or malformed list stops the platform at start-up instead of mis-validating codes.
The domain catalogues receive plain rows and never touch files.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import Literal

from pydantic import Field, field_validator

from citycarbon.domain.identifiers.industry import Industry, IndustryCatalogue
from citycarbon.domain.identifiers.region import Region, RegionCatalogue
from citycarbon.refdata.loader import load_dataset
from citycarbon.refdata.schema import Strict

REGIONS_DATASET = "regions"
REGIONS_VERSION = "2023.1"
INDUSTRIES_DATASET = "industries"
INDUSTRIES_VERSION = "2017.1"

_REGION_CODE = r"^\d{6}$"
_INDUSTRY_CODE = r"^[A-Z](\d{2,4})?$"


class _Row(Strict):
    """Shared parsing: CSV writes a missing value as an empty cell, which means ``None``."""

    @field_validator("*", mode="before")
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value


class RegionRow(_Row):
    """One row of ``regions.csv``."""

    code: str = Field(pattern=_REGION_CODE)
    name: str = Field(min_length=1)
    level: Literal["province", "prefecture", "county"]
    parent_code: str | None = Field(default=None, pattern=_REGION_CODE)
    valid_from: date | None = None
    replaced_by: str | None = Field(default=None, pattern=_REGION_CODE)
    source: str = Field(min_length=1)
    note: str | None = None

    def to_region(self) -> Region:
        """Convert the row into the domain value the catalogue is built from."""
        return Region(self.code, self.name, self.level, self.parent_code, self.replaced_by)


class IndustryRow(_Row):
    """One row of ``industries.csv``."""

    code: str = Field(pattern=_INDUSTRY_CODE)
    name: str = Field(min_length=1)
    level: Literal["section", "division", "group", "class"]
    parent_code: str | None = Field(default=None, pattern=_INDUSTRY_CODE)
    source: str = Field(min_length=1)
    note: str | None = None

    def to_industry(self) -> Industry:
        """Convert the row into the domain value the catalogue is built from."""
        return Industry(self.code, self.name, self.level, self.parent_code)


@cache
def load_region_catalogue(version: str = REGIONS_VERSION) -> RegionCatalogue:
    """Return the region catalogue of the shipped ``regions`` dataset (loaded once).

    Parameters
    ----------
    version
        Dataset version; the default is the version the platform validates against.

    Raises
    ------
    ReferenceDataError
        When the file does not match its manifest digest, a row is malformed, or the rows do
        not form a consistent province → prefecture → county tree.

    References
    ----------
    GB/T 2260; NBS statistical division codes (see ``regions/<version>/manifest.yaml``).

    """
    dataset = load_dataset(REGIONS_DATASET, "regions.csv", RegionRow, version)
    return RegionCatalogue(row.to_region() for row in dataset.rows)


@cache
def load_industry_catalogue(version: str = INDUSTRIES_VERSION) -> IndustryCatalogue:
    """Return the GB/T 4754 catalogue of the shipped ``industries`` dataset (loaded once).

    Parameters
    ----------
    version
        Dataset version; the default is the version the platform validates against.

    Raises
    ------
    ReferenceDataError
        When the file does not match its manifest digest, a row is malformed, or the rows do
        not form a consistent section → division → group → class tree.

    References
    ----------
    GB/T 4754-2017 《国民经济行业分类》 (see ``industries/<version>/manifest.yaml``).

    """
    dataset = load_dataset(INDUSTRIES_DATASET, "industries.csv", IndustryRow, version)
    return IndustryCatalogue(row.to_industry() for row in dataset.rows)
