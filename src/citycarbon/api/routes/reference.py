"""Reference codes (regions, industries, fuels), factor sets and published aggregates: open to all."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from citycarbon.api.deps import AggregateReader, DatabaseUrl, ReferenceReader
from citycarbon.api.schemas.common import problem_responses
from citycarbon.api.schemas.reference import FactorSetOut, FuelOut, IndustryOut, RegionOut, RegionTotalOut
from citycarbon.services import published

router = APIRouter(tags=["reference"], responses=problem_responses(401, 404, 413, 422, 429))

RegionCode = Annotated[str | None, Query(pattern=r"^\d{6}$", description="GB/T 2260 code")]


@router.get("/reference/regions", response_model=list[RegionOut])
def list_regions(_: ReferenceReader, parent_code: RegionCode = None) -> list[RegionOut]:
    """Current regions below ``parent_code`` (provinces when omitted)."""
    return [RegionOut.model_validate(r) for r in published.regions(parent_code)]


@router.get("/reference/industries", response_model=list[IndustryOut])
def list_industries(
    _: ReferenceReader,
    parent_code: Annotated[str | None, Query(pattern=r"^[A-Z](\d{2,4})?$")] = None,
) -> list[IndustryOut]:
    """GB/T 4754 codes directly below ``parent_code`` (sections when omitted)."""
    return [IndustryOut.model_validate(i) for i in published.industries(parent_code)]


@router.get("/reference/fuels", response_model=list[FuelOut])
def list_fuels(_: ReferenceReader) -> list[FuelOut]:
    """The fuel catalogue: codes, Chinese and English names, accounting units."""
    return [FuelOut.model_validate(f) for f in published.fuels()]


@router.get("/factor-sets", response_model=list[FactorSetOut])
def list_factor_sets(_: ReferenceReader) -> list[FactorSetOut]:
    """Every shipped reference dataset version with its publisher, document and file digests."""
    return [FactorSetOut.model_validate(f) for f in published.factor_sets()]


@router.get("/aggregates/emissions", response_model=list[RegionTotalOut], tags=["public"])
def emissions_by_region(
    _: AggregateReader,
    url: DatabaseUrl,
    year: Annotated[int, Query(ge=2000, le=2100)],
    region_code: RegionCode = None,
) -> list[RegionTotalOut]:
    """Published totals by county for a year; counties with fewer than 3 organisations are left out."""
    return [RegionTotalOut.model_validate(t) for t in published.emissions_by_region(url, year, region_code)]
