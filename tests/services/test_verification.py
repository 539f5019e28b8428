"""Verifier sign-off: who may sign, what is stored and audited, and what a recalculation does."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citycarbon.domain.access.policy import Forbidden
from citycarbon.services import accounts
from citycarbon.services.caller import Caller
from citycarbon.services.demo import load_demo_ledger
from citycarbon.services.demo_users import DEMO_PASSWORD, ensure_demo_users
from citycarbon.services.enterprise_view import enterprise_overview
from citycarbon.services.ledger import recalculate
from citycarbon.services.platform_errors import Conflict
from citycarbon.services.verification import list_sign_offs, sign_off
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import AuditEvent
from citycarbon.store.tables import Organisation
from citycarbon.store.verification_tables import VerificationSignOff


def _caller(url: str, username: str) -> Caller:
    issued = accounts.sign_in(url, username, DEMO_PASSWORD, hours=1, client_address=None)
    return Caller(accounts.authenticate(url, issued.secret), "127.0.0.1")


@pytest.fixture
def city(db_url: str) -> str:
    load_demo_ledger(db_url, organisations=5, years=(2024,))
    ensure_demo_users(db_url)
    return db_url


def _assigned(url: str) -> tuple[Caller, int, int, str]:
    """The demo verifier, an organisation assigned to it, its first result id and that result's period."""
    verifier = _caller(url, "demo-verifier")
    org_id = min(verifier.principal.assigned_organisation_ids)
    first = enterprise_overview(url, verifier, org_id).results[0]
    return verifier, org_id, first.result_id, first.period


def test_assigned_verifier_signs_off_and_the_sign_off_is_audited(city: str) -> None:
    verifier, org_id, result_id, period = _assigned(city)
    signed = sign_off(city, verifier, org_id, result_id, "  checked against invoices ")
    assert (signed.result_id, signed.period, signed.verifier_username) == (result_id, period, "demo-verifier")
    assert signed.note == "checked against invoices"
    assert signed.is_current
    assert signed.signed_at.tzinfo is not None
    with unit_of_work(city) as session:
        stored = session.scalars(select(VerificationSignOff)).all()
        assert [(s.result_id, s.verifier_user_id) for s in stored] == [
            (result_id, verifier.principal.user_id)
        ]
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_off")).all()
        assert [(e.actor_username, e.subject_organisation_id, e.detail) for e in events] == [
            ("demo-verifier", org_id, f"result {result_id}")
        ]
    overview = enterprise_overview(city, verifier, org_id)
    assert overview.signed(result_id) == signed
    assert overview.can_sign_off


def test_a_result_is_signed_off_once(city: str) -> None:
    verifier, org_id, result_id, _ = _assigned(city)
    sign_off(city, verifier, org_id, result_id)
    with pytest.raises(Conflict):
        sign_off(city, _caller(city, "demo-admin"), org_id, result_id)


def test_only_assigned_verifiers_and_admins_may_sign_off(city: str) -> None:
    verifier, org_id, result_id, _ = _assigned(city)
    enterprise = _caller(city, "demo-enterprise")
    with pytest.raises(Forbidden):
        sign_off(city, enterprise, enterprise.principal.organisation_id or 0, result_id)
    with unit_of_work(city) as session:
        others = session.scalars(
            select(Organisation.id).where(
                Organisation.id.not_in(verifier.principal.assigned_organisation_ids)
            )
        ).all()
    with pytest.raises(Forbidden):
        sign_off(city, verifier, others[0], result_id)
    with unit_of_work(city) as session:
        refused = session.scalars(select(AuditEvent).where(AuditEvent.action == "refused")).all()
        assert {e.actor_username for e in refused} == {"demo-enterprise", "demo-verifier"}
        assert session.scalars(select(VerificationSignOff)).all() == []
    assert not enterprise_overview(city, enterprise, enterprise.principal.organisation_id or 0).can_sign_off
    assert sign_off(city, _caller(city, "demo-admin"), org_id, result_id).verifier_username == "demo-admin"


def test_result_of_another_organisation_is_not_found(city: str) -> None:
    verifier, org_id, result_id, _ = _assigned(city)
    other = max(verifier.principal.assigned_organisation_ids - {org_id})
    with pytest.raises(Exception, match="has no result"):
        sign_off(city, verifier, other, result_id)


def test_recalculation_leaves_the_sign_off_on_the_old_result(city: str) -> None:
    verifier, org_id, result_id, period = _assigned(city)
    sign_off(city, verifier, org_id, result_id)
    overview = enterprise_overview(city, verifier, org_id)
    recalculate(city, pairs=[(overview.uscc, period)], trigger="test")

    after = enterprise_overview(city, verifier, org_id)
    current = next(r for r in after.results if r.period == period)
    assert current.result_id != result_id
    assert after.signed(current.result_id) is None
    [old] = after.earlier_sign_offs(period)
    assert (old.result_id, old.is_current) == (result_id, False)
    with pytest.raises(Conflict, match="superseded"):
        sign_off(city, verifier, org_id, result_id)
    with unit_of_work(city) as session:
        assert [s.result_id for s in list_sign_offs(session, org_id)] == [result_id]
