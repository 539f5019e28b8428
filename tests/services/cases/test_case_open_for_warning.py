"""Opening a case from a warning: idempotent per warning, inside the caller's transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from citycarbon.domain.errors import CityCarbonError
from citycarbon.services.cases import open_case_for_warning
from citycarbon.store.case_tables import SupervisionCase, SupervisionCaseTransition
from citycarbon.store.db import unit_of_work


def test_a_warning_opens_one_case_with_its_deadline(world) -> None:
    org = world.organisation_ids[0]
    with unit_of_work(world.url) as session:
        first = open_case_for_warning(
            session,
            warning_id=41,
            organisation_id=org,
            severity="high",
            title="NOx over limit",
            evidence={"reading_mg_m3": 212.5, "limit_mg_m3": 150},
            opened_by="warning-rules",
            now=world.t0,
        )
        again = open_case_for_warning(
            session,
            warning_id=41,
            organisation_id=org,
            severity="high",
            title="NOx over limit",
            evidence={},
            opened_by="warning-rules",
            now=world.t0,
        )
    with unit_of_work(world.url) as session:
        later = open_case_for_warning(
            session,
            warning_id=41,
            organisation_id=org,
            severity="low",
            title="x",
            evidence={},
            opened_by="warning-rules",
        )
        case = session.get(SupervisionCase, first)
        assert case is not None
        log = session.scalars(
            select(SupervisionCaseTransition).where(SupervisionCaseTransition.case_id == first)
        ).all()
        count = session.scalar(select(func.count()).select_from(SupervisionCase))
    assert first == again == later and count == 1
    assert case.state == "open" and case.severity == "high"
    # high severity: 7 calendar days (case_deadlines@2026.1)
    assert case.deadline_at.replace(tzinfo=dt.UTC) == world.t0 + dt.timedelta(days=7)
    assert '"reading_mg_m3": 212.5' in (case.warning_evidence_json or "")
    assert [(r.from_state, r.to_state, r.actor_role, r.actor_username) for r in log] == [
        (None, "open", "system", "warning-rules")
    ]


def test_rolled_back_caller_transaction_leaves_no_case(world) -> None:
    with pytest.raises(RuntimeError), unit_of_work(world.url) as session:
        open_case_for_warning(
            session,
            warning_id=7,
            organisation_id=world.organisation_ids[0],
            severity="critical",
            title="t",
            evidence={},
            opened_by="rules",
        )
        raise RuntimeError("the monitoring run failed later")
    with unit_of_work(world.url) as session:
        assert session.scalar(select(func.count()).select_from(SupervisionCase)) == 0


def test_unknown_severity_is_refused_with_the_valid_ones(world) -> None:
    with pytest.raises(CityCarbonError) as raised, unit_of_work(world.url) as session:
        open_case_for_warning(
            session,
            warning_id=8,
            organisation_id=world.organisation_ids[0],
            severity="severe",
            title="t",
            evidence={},
            opened_by="rules",
        )
    assert raised.value.render() == "Unknown severity severe; use one of: low, medium, high, critical"


def test_later_warnings_link_to_the_case_once_and_show_on_its_page(world) -> None:
    from citycarbon.services.case_records import link_warning_to_case
    from citycarbon.services.cases_queries import case_detail

    with unit_of_work(world.url) as session:
        case_id = open_case_for_warning(
            session, warning_id=7, organisation_id=world.organisation_ids[0], severity="high",
            title="NOx", evidence={}, opened_by="warning-rules", now=world.t0,
        )  # fmt: skip
        assert link_warning_to_case(session, case_id=case_id, warning_id=9) is True
        assert link_warning_to_case(session, case_id=case_id, warning_id=9) is False  # a re-run
        assert link_warning_to_case(session, case_id=case_id, warning_id=7) is False  # the opener
    assert case_detail(world.url, world.admin, case_id).warning_ids == (7, 9)
