"""Schemas of reference codes, factor sets and published aggregates."""

from __future__ import annotations

from citycarbon.api.schemas.common import Schema


class RegionOut(Schema):
    """A GB/T 2260 division."""

    code: str
    name: str
    level: str
    parent_code: str | None


class IndustryOut(Schema):
    """A GB/T 4754 code."""

    code: str
    name: str
    level: str
    parent_code: str | None


class FuelOut(Schema):
    """A fuel of the catalogue and the unit its quantity is accounted in."""

    fuel_code: str
    name_zh: str
    name_en: str
    activity_unit: str
    ipcc_family: str
    source: str


class FactorSetOut(Schema):
    """A shipped reference dataset version (manifest) and whether the ledger uses it."""

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
    files: dict[str, str]
    is_in_use: bool


class RegionTotalOut(Schema):
    """Published total of one county in one year [tCO2e, tce]."""

    region_code: str
    year: int
    organisation_count: int
    total_tco2e: float
    energy_tce: float


class HealthOut(Schema):
    """Liveness and database reachability."""

    status: str
    version: str
    database: str
