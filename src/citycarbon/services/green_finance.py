"""Green-finance use cases: a consenting enterprise's carbon profile, and loan quotes on it.

A bank looks an enterprise up by credit code. Without a live consent the request is refused
with the reason and the refusal itself is audited; with one, the read is audited with the
consent's purpose. The profile holds yearly emissions, energy use and intensity, the
carbon-efficiency grade and trend when the rating service is installed
(:mod:`citycarbon.services.rating_port`), and the business tier of individual businesses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from citycarbon.domain.access.consent import ConsentRefused
from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.services.audit import record_event, record_refusal
from citycarbon.services.business_tiers import business_tier
from citycarbon.services.caller import Caller
from citycarbon.services.consents import require_live_consent
from citycarbon.services.platform_errors import MSG_ORG_NOT_FOUND, NotFound
from citycarbon.services.rating_port import RatingSummary, find_rating_source
from citycarbon.services.scope import readable
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import EmissionResult, Organisation, Period, ProductionRecord

MSG_BANK_ACCOUNT = "Your account belongs to no bank, so it cannot read carbon profiles"
RESOURCE = "green_finance.profile"


@dataclass(frozen=True, slots=True)
class ProfileYear:
    """One year of an organisation's carbon profile."""

    year: int
    total_tco2e: float
    scope1_tco2e: float
    scope2_tco2e: float
    energy_tce: float
    output_value_10k_cny: float | None
    intensity_tco2e_per_10k_cny: float | None


@dataclass(frozen=True, slots=True)
class CarbonProfile:
    """What a bank sees of a consenting enterprise."""

    organisation_id: int
    uscc: str
    name: str
    kind: str
    industry_code: str | None
    region_code: str
    years: list[ProfileYear]
    rating: RatingSummary | None
    business_tier: dict[str, Any] | None
    consent_purpose: str | None


def _yearly(session: Session, organisation_id: int) -> list[ProfileYear]:
    totals = session.execute(
        select(
            Period.year,
            func.sum(EmissionResult.total_tco2e),
            func.sum(EmissionResult.scope1_tco2e),
            func.sum(EmissionResult.scope2_tco2e),
            func.sum(EmissionResult.energy_tce),
        )
        .join(Period, Period.id == EmissionResult.period_id)
        .where(EmissionResult.organisation_id == organisation_id, EmissionResult.superseded_at.is_(None))
        .group_by(Period.year)
        .order_by(Period.year)
    ).all()
    output = dict(
        session.execute(
            select(Period.year, func.sum(ProductionRecord.output_value_10k_cny))
            .join(Period, Period.id == ProductionRecord.period_id)
            .where(
                ProductionRecord.organisation_id == organisation_id, ProductionRecord.superseded_at.is_(None)
            )
            .group_by(Period.year)
        ).all()
    )
    years = []
    for year, total, scope1, scope2, energy in totals:
        value = output.get(year)
        intensity = total / value if value else None
        years.append(ProfileYear(year, total, scope1, scope2, energy, value, intensity))
    return years


def _authorise(
    session: Session, url: str, caller: Caller, org: Organisation, purpose: str | None
) -> str | None:
    """Return the purpose to audit under; refuse banks without a live consent."""
    principal = caller.principal
    if principal.holds(Role.BANK) and principal.organisation_id != org.id:
        bank = session.get(Organisation, principal.organisation_id) if principal.organisation_id else None
        if bank is None:
            raise Forbidden(MSG_BANK_ACCOUNT)
        try:
            terms = require_live_consent(session, org, bank)
        except ConsentRefused as refusal:
            record_refusal(
                url, caller, resource=RESOURCE, subject_organisation_id=org.id, reason=str(refusal)
            )
            raise
        record_event(
            session,
            caller,
            action="read",
            resource=RESOURCE,
            subject_organisation_id=org.id,
            purpose=terms.purpose,
            detail=f"consent {terms.consent_id}",
        )
        return terms.purpose
    readable(session, caller, org.id, RESOURCE, purpose=purpose)
    return None


def carbon_profile(url: str, caller: Caller, uscc: str, purpose: str | None = None) -> CarbonProfile:
    """The carbon profile of the organisation with credit code ``uscc``.

    Raises
    ------
    NotFound
        When the credit code is not registered.
    ConsentRefused
        For a bank without a live consent (the reason says never granted, revoked or expired).
    Forbidden
        For any other caller outside the organisation's scope.

    """
    code = validate_uscc(uscc, allow_legacy=True)
    with unit_of_work(url) as session:
        org = session.execute(select(Organisation).where(Organisation.uscc == code)).scalar()
        if org is None:
            raise NotFound(MSG_ORG_NOT_FOUND, organisation=code)
        consent_purpose = _authorise(session, url, caller, org, purpose)
        source = find_rating_source()
        rating = source(session, org.id) if source is not None else None
        tier = business_tier(session, org) if org.kind == "individual_business" else None
        return CarbonProfile(
            org.id,
            org.uscc,
            org.name,
            org.kind,
            org.industry_code,
            org.region_code,
            _yearly(session, org.id),
            rating,
            tier,
            consent_purpose,
        )
