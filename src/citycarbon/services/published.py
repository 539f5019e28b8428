"""What anyone may read: code lists, factor-set manifests and published aggregate figures.

Aggregates are the public's view of the ledger (issue 4 §2, role ``public``): totals by county
and year, never one organisation's figures. A county with fewer than
:data:`MIN_ORGANISATIONS` reporting organisations is left out, so an aggregate cannot be used
to work out a single enterprise's emissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from citycarbon.domain.identifiers.industry import Industry
from citycarbon.domain.identifiers.region import Region
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.refdata.factor_book import load_factor_book
from citycarbon.refdata.loader import data_root, load_dataset, read_manifest, versions
from citycarbon.refdata.schema import FuelRow
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import EmissionResult, Organisation, Period

MIN_ORGANISATIONS = 3


@dataclass(frozen=True, slots=True)
class RegionTotal:
    """Published total of one county (or the region asked for) in one year."""

    region_code: str
    year: int
    organisation_count: int
    total_tco2e: float
    energy_tce: float


def regions(parent_code: str | None) -> list[Region]:
    """Current regions below ``parent_code`` (provinces when ``None``)."""
    catalogue = load_region_catalogue()
    return list(catalogue.provinces() if parent_code is None else catalogue.children(parent_code))


def industries(parent_code: str | None) -> list[Industry]:
    """GB/T 4754 codes directly below ``parent_code`` (sections when ``None``)."""
    catalogue = load_industry_catalogue()
    return [i for i in catalogue if i.parent_code == parent_code]


def fuels() -> list[FuelRow]:
    """The fuel catalogue of the default fuel set (codes, names, activity units)."""
    book = load_factor_book()
    version = book.factor_sets.get("fuel_catalogue")
    return list(load_dataset("fuel_catalogue", "fuels.csv", FuelRow, version).rows)


def factor_sets() -> list[dict[str, Any]]:
    """Manifest of every shipped reference dataset version, and whether the ledger uses it."""
    in_use = load_factor_book().factor_sets
    found = []
    for entry in sorted(data_root().iterdir(), key=lambda e: e.name):
        if not entry.is_dir():
            continue
        for version in versions(entry.name):
            manifest = read_manifest(entry.name, version)
            found.append(
                manifest.model_dump(exclude={"files"})
                | {
                    "files": {name: f.sha256 for name, f in manifest.files.items()},
                    "is_in_use": in_use.get(entry.name) == version,
                }
            )
    return found


def emissions_by_region(url: str, year: int, region_code: str | None) -> list[RegionTotal]:
    """Totals by county for ``year`` (within ``region_code`` when given), small counties left out."""
    query = (
        select(
            Organisation.region_code,
            func.count(func.distinct(Organisation.id)),
            func.sum(EmissionResult.total_tco2e),
            func.sum(EmissionResult.energy_tce),
        )
        .join(Organisation, Organisation.id == EmissionResult.organisation_id)
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.superseded_at.is_(None), Period.year == year)
        .group_by(Organisation.region_code)
        .order_by(Organisation.region_code)
    )
    if region_code is not None:
        catalogue = load_region_catalogue()
        area = catalogue.validate(region_code).code
        query = query.where(
            Organisation.region_code.in_({area, *(r.code for r in catalogue.descendants(area))})
        )
    with unit_of_work(url) as session:
        rows = session.execute(query).all()
    return [
        RegionTotal(code, year, n, total, energy) for code, n, total, energy in rows if n >= MIN_ORGANISATIONS
    ]
