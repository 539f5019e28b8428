"""Organisations: list by scope with filters, register (administrators), read one, business tier."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from citycarbon.api.deps import DatabaseUrl, Limit, ObjectId, Offset, OrganisationCreator, OrganisationReader
from citycarbon.api.schemas.common import COMMON_PROBLEMS, Name, Page, problem_responses
from citycarbon.api.schemas.organisations import (
    BusinessTierOut,
    OrganisationIn,
    OrganisationKind,
    OrganisationOut,
)
from citycarbon.services import business_tiers, organisation_directory
from citycarbon.services.organisation_directory import OrganisationFilter

router = APIRouter(tags=["organisations"], responses=problem_responses(*COMMON_PROBLEMS, 404))


@router.get("/organisations", response_model=Page[OrganisationOut])
def list_organisations(
    caller: OrganisationReader,
    url: DatabaseUrl,
    region_code: Annotated[str | None, Query(pattern=r"^\d{6}$", description="Region subtree")] = None,
    kind: OrganisationKind | None = None,
    industry_code: Annotated[
        str | None, Query(pattern=r"^[A-Z](\d{2,4})?$", description="Code prefix")
    ] = None,
    name_contains: Annotated[Name | None, Query()] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[OrganisationOut]:
    """Organisations within the caller's scope (own, assigned, or region subtree), by id."""
    where = OrganisationFilter(region_code, kind, industry_code, name_contains)
    page = organisation_directory.list_organisations(url, caller, where, limit, offset)
    return Page[OrganisationOut].model_validate(page)


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(409),
)
def create_organisation(
    body: OrganisationIn, caller: OrganisationCreator, url: DatabaseUrl
) -> OrganisationOut:
    """Register an organisation, including banks (``kind: bank``); administrators only."""
    view = organisation_directory.create_organisation(
        url,
        caller,
        uscc=body.uscc,
        name=body.name,
        kind=body.kind,
        industry_code=body.industry_code,
        region_code=body.region_code,
        area_mu=body.area_mu,
    )
    return OrganisationOut.model_validate(view)


@router.get("/organisations/{organisation_id}", response_model=OrganisationOut)
def get_organisation(
    organisation_id: ObjectId, caller: OrganisationReader, url: DatabaseUrl
) -> OrganisationOut:
    """One organisation's master data (reads from outside the organisation are audited)."""
    return OrganisationOut.model_validate(
        organisation_directory.get_organisation(url, caller, organisation_id)
    )


@router.get(
    "/organisations/{organisation_id}/business-tier", response_model=BusinessTierOut, tags=["green finance"]
)
def get_business_tier(
    organisation_id: ObjectId, caller: OrganisationReader, url: DatabaseUrl
) -> BusinessTierOut:
    """Survival / growth / development tier of an individual business, from configurable thresholds."""
    return BusinessTierOut.model_validate(business_tiers.classify_organisation(url, caller, organisation_id))
