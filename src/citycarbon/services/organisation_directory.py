"""Register organisations (enterprises, individual businesses, parks, banks) and list them by scope.

Banks are organisations too (kind ``bank``): consents name them, their users hold the ``bank``
role, and their pricing rules belong to them. Codes are checked with the same catalogues as
file imports, so an organisation created through the API is as valid as an imported one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.refdata.codes import load_industry_catalogue, load_region_catalogue
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller, Page, page_limit, paginate
from citycarbon.services.platform_errors import Conflict
from citycarbon.services.scope import readable, visible_organisations
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

MSG_ORG_EXISTS = "Credit code {uscc} is already registered"
ORGANISATION_KINDS = ("enterprise", "individual_business", "park", "bank")


@dataclass(frozen=True, slots=True)
class OrganisationView:
    """An organisation's master data."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    area_mu: float | None
    created_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OrganisationFilter:
    """Optional filters of the organisation list (all must match)."""

    region_code: str | None = None
    kind: str | None = None
    industry_code: str | None = None
    name_contains: str | None = None


def _view(org: Organisation) -> OrganisationView:
    return OrganisationView(
        org.id, org.uscc, org.name, org.kind, org.industry_code, org.region_code, org.area_mu, org.created_at
    )


def create_organisation(
    url: str,
    caller: Caller,
    *,
    uscc: str,
    name: str,
    kind: str,
    industry_code: str,
    region_code: str,
    area_mu: float | None,
) -> OrganisationView:
    """Register one organisation after checking its credit, industry and region codes.

    Raises
    ------
    InvalidCode
        When a code fails validation (the message says why).
    Conflict
        When the credit code is already registered.

    """
    code = validate_uscc(uscc)
    industry = load_industry_catalogue().validate(industry_code).code
    region = load_region_catalogue().validate(region_code).code
    with unit_of_work(url) as session:
        if session.execute(select(Organisation.id).where(Organisation.uscc == code)).first():
            raise Conflict(MSG_ORG_EXISTS, uscc=code)
        org = Organisation(
            uscc=code, name=name, kind=kind, industry_code=industry, region_code=region, area_mu=area_mu
        )
        session.add(org)
        session.flush()
        record_event(session, caller, action="write", resource="organisation", subject_organisation_id=org.id)
        return _view(org)


def get_organisation(url: str, caller: Caller, organisation_id: int) -> OrganisationView:
    """One organisation's master data, if within the caller's scope (outside reads audited)."""
    with unit_of_work(url) as session:
        return _view(readable(session, caller, organisation_id, "organisation"))


def list_organisations(
    url: str, caller: Caller, where: OrganisationFilter, limit: int, offset: int
) -> Page[OrganisationView]:
    """Organisations the caller may see, by id, filtered.

    Listing master data (name, codes) is not audited per organisation: it is what the caller's
    role already covers in bulk; reading an organisation's figures is audited by the figure
    endpoints.
    """
    limit = page_limit(limit)
    query = select(Organisation).where(visible_organisations(caller))
    if where.region_code:
        catalogue = load_region_catalogue()
        area = where.region_code
        codes = {area, *(r.code for r in catalogue.descendants(area))} if area in catalogue else {area}
        query = query.where(Organisation.region_code.in_(codes))
    if where.kind:
        query = query.where(Organisation.kind == where.kind)
    if where.industry_code:
        query = query.where(Organisation.industry_code.startswith(where.industry_code, autoescape=True))
    if where.name_contains:
        query = query.where(Organisation.name.contains(where.name_contains, autoescape=True))
    with unit_of_work(url) as session:
        rows = (
            session.execute(query.order_by(Organisation.id).limit(limit + 1).offset(offset)).scalars().all()
        )
        return paginate([_view(o) for o in rows], limit, offset)
