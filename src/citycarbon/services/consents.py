"""Consent of enterprises to named banks: grant, revoke, list, and find the live one.

An enterprise decides which bank may read its carbon profile, for what purpose and until
when; it can revoke at any time, and the revocation takes effect on the very next request.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from citycarbon.domain.access.consent import MSG_PAST_DATE, ConsentTerms, live_consent
from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.errors import CityCarbonError
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.services.platform_errors import MSG_ORG_NOT_FOUND, NotFound
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import Consent
from citycarbon.store.tables import Organisation

MSG_NOT_A_BANK = "Organisation {uscc} is not registered as a bank"
MSG_OWN_ORG_ONLY = "Only a user of an enterprise can grant or revoke its consents"
MSG_CONSENT_NOT_FOUND = "Consent {consent_id} does not exist or is not yours"


class InvalidConsent(CityCarbonError):
    """A consent request that cannot be granted as asked (HTTP 422)."""


@dataclass(frozen=True, slots=True)
class ConsentView:
    """A consent as shown to the enterprise that gave it and the bank that holds it."""

    consent_id: int
    organisation_id: int
    organisation_uscc: str
    bank_organisation_id: int
    bank_uscc: str
    bank_name: str
    purpose: str
    valid_until_date: dt.date
    granted_at: dt.datetime
    revoked_at: dt.datetime | None
    is_live: bool


def today() -> dt.date:
    """The current date in UTC, the calendar consents are valid in."""
    return dt.datetime.now(dt.UTC).date()


def _views(session: Session, where: object) -> list[ConsentView]:
    bank = Organisation.__table__.alias("bank")
    rows = session.execute(
        select(Consent, Organisation.uscc, bank.c.uscc, bank.c.name)
        .join(Organisation, Organisation.id == Consent.organisation_id)
        .join(bank, bank.c.id == Consent.bank_organisation_id)
        .where(where)  # type: ignore[arg-type]
        .order_by(Consent.id.desc())
    ).all()
    day = today()
    return [
        ConsentView(
            c.id,
            c.organisation_id,
            uscc,
            c.bank_organisation_id,
            bank_uscc,
            bank_name,
            c.purpose,
            c.valid_until_date,
            c.granted_at,
            c.revoked_at,
            _terms(c).is_live(day),
        )
        for c, uscc, bank_uscc, bank_name in rows
    ]


def _terms(consent: Consent) -> ConsentTerms:
    return ConsentTerms(consent.id, consent.purpose, consent.valid_until_date, consent.revoked_at)


def grant_consent(
    url: str, caller: Caller, *, bank_uscc: str, purpose: str, valid_until_date: dt.date
) -> ConsentView:
    """Let the named bank read the caller's organisation's carbon profile until a date."""
    principal = caller.principal
    if principal.organisation_id is None or not principal.holds(Role.ENTERPRISE):
        raise Forbidden(MSG_OWN_ORG_ONLY)
    if valid_until_date < today():
        raise InvalidConsent(MSG_PAST_DATE, valid_until_date=valid_until_date.isoformat())
    code = validate_uscc(bank_uscc, allow_legacy=True)
    with unit_of_work(url) as session:
        bank = session.execute(select(Organisation).where(Organisation.uscc == code)).scalar()
        if bank is None:
            raise NotFound(MSG_ORG_NOT_FOUND, organisation=code)
        if bank.kind != "bank":
            raise InvalidConsent(MSG_NOT_A_BANK, uscc=code)
        consent = Consent(
            organisation_id=principal.organisation_id,
            bank_organisation_id=bank.id,
            purpose=purpose,
            valid_until_date=valid_until_date,
            granted_by_user_id=principal.user_id,
        )
        session.add(consent)
        session.flush()
        record_event(
            session,
            caller,
            action="write",
            resource="consent",
            subject_organisation_id=principal.organisation_id,
            purpose=purpose,
            detail=f"granted consent {consent.id} to {code} until {valid_until_date}",
        )
        return _views(session, Consent.id == consent.id)[0]


def revoke_consent(url: str, caller: Caller, consent_id: int) -> ConsentView:
    """Revoke one of the caller's organisation's consents (idempotent)."""
    principal = caller.principal
    with unit_of_work(url) as session:
        consent = session.get(Consent, consent_id)
        if consent is None or consent.organisation_id != principal.organisation_id:
            raise NotFound(MSG_CONSENT_NOT_FOUND, consent_id=consent_id)
        if consent.revoked_at is None:
            consent.revoked_at = dt.datetime.now(dt.UTC)
            consent.revoked_by_user_id = principal.user_id
            record_event(
                session,
                caller,
                action="write",
                resource="consent",
                subject_organisation_id=consent.organisation_id,
                detail=f"revoked consent {consent_id}",
            )
        session.flush()
        return _views(session, Consent.id == consent_id)[0]


def list_consents(url: str, caller: Caller) -> list[ConsentView]:
    """Consents the caller's organisation gave (enterprise) or holds (bank); all for admins."""
    principal = caller.principal
    with unit_of_work(url) as session:
        if principal.holds(Role.ADMIN):
            return _views(session, Consent.id.is_not(None))
        org = principal.organisation_id or -1
        return _views(session, or_(Consent.organisation_id == org, Consent.bank_organisation_id == org))


def require_live_consent(session: Session, organisation: Organisation, bank: Organisation) -> ConsentTerms:
    """The live consent of ``organisation`` to ``bank``; raises ConsentRefused with the reason."""
    rows = session.execute(
        select(Consent).where(
            Consent.organisation_id == organisation.id, Consent.bank_organisation_id == bank.id
        )
    ).scalars()
    return live_consent([_terms(c) for c in rows], today(), uscc=organisation.uscc, bank=bank.name)
