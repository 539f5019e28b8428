"""Verifier sign-off: a verifier assigned to an organisation confirms one period's result.

A sign-off is bound to the exact result row the verifier checked. A recalculation supersedes
that row and writes a new one, so the sign-off then shows against the old result only and the
period needs signing off again. Only verifiers assigned to the organisation (and
administrators) may sign off; every sign-off is written to the audit log in the same
transaction, and every refusal in one of its own.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.audit import record_event, record_refusal
from citycarbon.services.caller import Caller
from citycarbon.services.platform_errors import Conflict, NotFound
from citycarbon.services.scope import readable
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import EmissionResult, Period
from citycarbon.store.verification_tables import VerificationSignOff

MSG_NOT_ASSIGNED = "Only a verifier assigned to organisation {organisation_id} may sign off its results"
MSG_RESULT_NOT_FOUND = "Organisation {organisation_id} has no result {result_id}"
MSG_RESULT_SUPERSEDED = "Result {result_id} was superseded by a recalculation; sign off the current result"
MSG_ALREADY_SIGNED = "Result {result_id} was already signed off by {verifier}"
#: Longest note kept with a sign-off [characters].
MAX_NOTE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class SignOff:
    """One sign-off, and whether the result it covers is still the period's current one."""

    sign_off_id: int
    period: str
    result_id: int
    verifier_username: str
    signed_at: dt.datetime
    note: str
    is_current: bool


def may_sign_off(principal: Principal, organisation_id: int) -> bool:
    """Whether ``principal`` may sign off the organisation's results (assigned verifier, or admin)."""
    if principal.holds(Role.ADMIN):
        return True
    return principal.holds(Role.VERIFIER) and organisation_id in principal.assigned_organisation_ids


def sign_off(url: str, caller: Caller, organisation_id: int, result_id: int, note: str = "") -> SignOff:
    """Sign off the organisation's current result ``result_id``, with an optional note.

    Raises
    ------
    NotFound
        When the organisation or the result (of that organisation) does not exist.
    Forbidden
        When the caller is neither an administrator nor a verifier assigned to the organisation.
    Conflict
        When the result was superseded, or was signed off before.

    """
    if not may_sign_off(caller.principal, organisation_id):
        record_refusal(
            url,
            caller,
            resource="verification",
            subject_organisation_id=organisation_id,
            reason="not assigned",
        )
        raise Forbidden(MSG_NOT_ASSIGNED, organisation_id=organisation_id)
    with unit_of_work(url) as session:
        readable(session, caller, organisation_id, "verification")
        result = session.get(EmissionResult, result_id)
        if result is None or result.organisation_id != organisation_id:
            raise NotFound(MSG_RESULT_NOT_FOUND, organisation_id=organisation_id, result_id=result_id)
        if result.superseded_at is not None:
            raise Conflict(MSG_RESULT_SUPERSEDED, result_id=result_id)
        earlier = session.scalar(
            select(VerificationSignOff).where(VerificationSignOff.result_id == result_id)
        )
        if earlier is not None:
            raise Conflict(MSG_ALREADY_SIGNED, result_id=result_id, verifier=earlier.verifier_username)
        row = VerificationSignOff(
            organisation_id=organisation_id,
            period_id=result.period_id,
            result_id=result_id,
            verifier_user_id=caller.principal.user_id,
            verifier_username=caller.principal.username,
            signed_at=dt.datetime.now(dt.UTC),
            note=note.strip()[:MAX_NOTE_CHARS],
        )
        session.add(row)
        record_event(
            session,
            caller,
            action="sign_off",
            resource="verification",
            subject_organisation_id=organisation_id,
            detail=f"result {result_id}",
        )
        session.flush()
        return _view(session, row, result)


def list_sign_offs(session: Session, organisation_id: int) -> list[SignOff]:
    """Every sign-off of the organisation, newest first (call after the scope check)."""
    rows = session.execute(
        select(VerificationSignOff, EmissionResult)
        .join(EmissionResult, EmissionResult.id == VerificationSignOff.result_id)
        .where(VerificationSignOff.organisation_id == organisation_id)
        .order_by(VerificationSignOff.id.desc())
    ).all()
    return [_view(session, row, result) for row, result in rows]


def _view(session: Session, row: VerificationSignOff, result: EmissionResult) -> SignOff:
    period = session.get(Period, row.period_id)
    signed_at = row.signed_at if row.signed_at.tzinfo else row.signed_at.replace(tzinfo=dt.UTC)
    return SignOff(
        row.id,
        period.code if period else "",
        row.result_id,
        row.verifier_username,
        signed_at,
        row.note,
        result.superseded_at is None,
    )
