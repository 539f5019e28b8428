"""Green-finance use cases: a consenting enterprise's carbon profile, and loan quotes on it.

A bank looks an enterprise up by credit code. Without a live consent the request is refused
with the reason and the refusal itself is audited; with one, the read is audited with the
consent's purpose. The profile holds yearly emissions, energy use and intensity, the
carbon-efficiency grade and trend when the rating service is installed
(:mod:`citycarbon.services.rating_port`), and the business tier of individual businesses.

Banks call the profile look-up at high rates, so :func:`read_profile` serves the common case —
a bank with a live consent — with one query for the organisation and its consents to the bank
and one per yearly total, on a pooled autocommit connection, and has its audit event
group-committed (:class:`~citycarbon.services.audit.AuditGroupCommit`) before it returns.
Every other case (no or lapsed consent, unknown code, non-bank callers, individual
businesses) takes :func:`carbon_profile`, which refuses with the reason and audits refusals.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, bindparam, func, select
from sqlalchemy.orm import Session

from citycarbon.domain.access.consent import ConsentRefused, ConsentTerms, live_consent
from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Role
from citycarbon.domain.identifiers.uscc import validate_uscc
from citycarbon.services.audit import event_values, group_commit, record_event, record_refusal
from citycarbon.services.business_tiers import business_tier
from citycarbon.services.caller import Caller
from citycarbon.services.consents import require_live_consent, today
from citycarbon.services.platform_errors import MSG_ORG_NOT_FOUND, NotFound
from citycarbon.services.rating_port import RatingSummary, find_rating_source
from citycarbon.services.scope import readable
from citycarbon.store.db import PreparedQuery, read_once, unit_of_work
from citycarbon.store.efficiency_tables import EfficiencyGrade
from citycarbon.store.platform_tables import Consent
from citycarbon.store.tables import EmissionResult, Organisation, Period, ProductionRecord

MSG_BANK_ACCOUNT = "Your account belongs to no bank, so it cannot read carbon profiles"
RESOURCE = "green_finance.profile"
#: Organisations whose yearly totals and rating each server process keeps (see _ProfileCache).
PROFILE_CACHE_SIZE = 10_000


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


_YEARLY_EMISSIONS = (
    select(
        Period.year,
        func.sum(EmissionResult.total_tco2e),
        func.sum(EmissionResult.scope1_tco2e),
        func.sum(EmissionResult.scope2_tco2e),
        func.sum(EmissionResult.energy_tce),
    )
    .join(Period, Period.id == EmissionResult.period_id)
    .where(
        EmissionResult.organisation_id == bindparam("organisation_id"), EmissionResult.superseded_at.is_(None)
    )
    .group_by(Period.year)
    .order_by(Period.year)
)
_YEARLY_OUTPUT = (
    select(Period.year, func.sum(ProductionRecord.output_value_10k_cny))
    .join(Period, Period.id == ProductionRecord.period_id)
    .where(
        ProductionRecord.organisation_id == bindparam("organisation_id"),
        ProductionRecord.superseded_at.is_(None),
    )
    .group_by(Period.year)
)


def _yearly(session: Session | Connection, organisation_id: int) -> list[ProfileYear]:
    params = {"organisation_id": organisation_id}
    totals = session.execute(_YEARLY_EMISSIONS, params).all()
    output = {year: value for year, value in session.execute(_YEARLY_OUTPUT, params)}
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


def _current_rows_version(table: Any) -> tuple[Any, Any, Any]:
    # (largest id, count, latest created_at) of an organisation's current rows. Ledger and
    # rating rows are never updated except to be superseded, so any change to the current set
    # changes this: a new row has a larger id than all before it, a row only superseded lowers
    # the count. The time tells apart data rebuilt with restarted ids (a restored backup).
    current = (table.organisation_id == Organisation.id) & table.superseded_at.is_(None)
    return (
        select(func.max(table.id)).where(current).scalar_subquery(),
        select(func.count(table.id)).where(current).scalar_subquery(),
        select(func.max(table.created_at)).where(current).scalar_subquery(),
    )


#: One row per consent the organisation with a credit code gave (one row of NULL consent
#: columns when none), with the version of the data its profile is computed from. Consents to
#: every bank are read and filtered here: an organisation has few, and joining on the
#: organisation alone lets the planner use its index instead of scanning the bank's consents.
_ORGANISATION_CONSENTS = PreparedQuery(
    select(
        Organisation.id,
        Organisation.uscc,
        Organisation.name,
        Organisation.kind,
        Organisation.industry_code,
        Organisation.region_code,
        *_current_rows_version(EmissionResult),
        *_current_rows_version(ProductionRecord),
        *_current_rows_version(EfficiencyGrade),
        Consent.bank_organisation_id,
        Consent.id,
        Consent.purpose,
        Consent.valid_until_date,
        Consent.revoked_at,
    )
    .outerjoin(Consent, Consent.organisation_id == Organisation.id)
    .where(Organisation.uscc == bindparam("uscc"))
)
#: Positions in its rows: organisation, data version, the consent's bank, the consent's terms.
_ORGANISATION, _VERSION, _BANK, _CONSENT = slice(0, 6), slice(6, 15), 15, slice(16, 20)


class _ProfileCache:
    """Yearly totals and rating by database and organisation, valid while the data is unchanged.

    The version an entry is checked against is read in the same query as the consent, so a
    recalculation, a new production record or a new rating is seen at once; the consent and
    the credential are never cached. Bounded (least recently used entries go first), one per
    process.
    """

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[str, int], tuple[tuple[Any, ...], list[ProfileYear], Any]] = (
            OrderedDict()
        )
        self._lock = threading.Lock()

    def get(self, key: tuple[str, int], version: tuple[Any, ...]) -> tuple[list[ProfileYear], Any] | None:
        """Years and rating stored under ``key`` for exactly ``version``, else ``None``."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry[0] != version:
                return None
            self._entries.move_to_end(key)
            return entry[1], entry[2]

    def put(
        self, key: tuple[str, int], version: tuple[Any, ...], years: list[ProfileYear], rating: Any
    ) -> None:
        """Store years and rating computed from the data at ``version``."""
        with self._lock:
            self._entries[key] = (version, years, rating)
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)


profile_cache = _ProfileCache(PROFILE_CACHE_SIZE)


@lru_cache(maxsize=65_536)
def _valid_uscc(uscc: str) -> str:
    # The check-digit computation is pure; a bank looks the same enterprises up again and again.
    return validate_uscc(uscc, allow_legacy=True)


async def read_profile(url: str, caller: Caller, uscc: str, purpose: str | None = None) -> CarbonProfile:
    """The carbon profile of ``uscc`` for a request; returns after the read is on record.

    Same answers and refusals as :func:`carbon_profile`, which it falls back to for every case
    but a bank's consented read. That read's audit event is committed (shared with concurrent
    requests) before this returns; the consent and the caller's credential are read from the
    database on every call, so a revocation takes effect on the next request.

    Raises
    ------
    NotFound, ConsentRefused, Forbidden
        As :func:`carbon_profile`.
    AuditNotRecorded
        When the audit event could not be committed (the profile is then not returned).

    """
    code = _valid_uscc(uscc)
    consented = _consented_profile(url, caller, code) if caller.principal.holds(Role.BANK) else None
    if consented is None:
        return await asyncio.to_thread(carbon_profile, url, caller, code, purpose)
    profile, event = consented
    await group_commit(url).append(event)
    return profile


#: What :func:`_read_consented` finds: organisation columns, the live consent, years, rating.
_Consented = tuple[tuple[Any, ...], ConsentTerms, list[ProfileYear], Any]


def _read_consented(connection: Connection, url: str, bank_id: int, code: str) -> _Consented | None:
    """The organisation, live consent, yearly totals and rating a bank may read (one read connection)."""
    rows = _ORGANISATION_CONSENTS.rows(connection, uscc=code)
    if not rows:
        return None
    org_id, uscc, _name, kind, *_codes = rows[0][_ORGANISATION]
    if org_id == bank_id or kind == "individual_business":
        return None
    consents = [ConsentTerms(*row[_CONSENT]) for row in rows if row[_BANK] == bank_id]
    try:
        terms = live_consent(consents, today(), uscc=uscc, bank=str(bank_id))
    except ConsentRefused:
        return None  # carbon_profile refuses with the bank's name and audits the refusal
    source = find_rating_source()
    version = (*rows[0][_VERSION], source)
    cached = profile_cache.get((url, org_id), version)
    if cached is None:
        years = _yearly(connection, org_id)
        rating = None
        if source is not None:
            with Session(bind=connection) as session:
                rating = source(session, org_id)
        profile_cache.put((url, org_id), version, years, rating)
    else:
        years, rating = cached
    return rows[0][_ORGANISATION], terms, years, rating


def _consented_profile(url: str, caller: Caller, code: str) -> tuple[CarbonProfile, dict[str, Any]] | None:
    """A bank's profile read under a live consent and its audit event; ``None`` if not that case."""
    bank_id = caller.principal.organisation_id
    if bank_id is None:
        return None
    found = read_once(url, lambda connection: _read_consented(connection, url, bank_id, code))
    if found is None:
        return None
    (org_id, uscc, name, kind, industry_code, region_code), terms, years, rating = found
    event = event_values(
        caller,
        action="read",
        resource=RESOURCE,
        subject_organisation_id=org_id,
        purpose=terms.purpose,
        detail=f"consent {terms.consent_id}",
    )
    profile = CarbonProfile(
        org_id, uscc, name, kind, industry_code, region_code, list(years), rating, None, terms.purpose
    )
    return profile, event
