"""Case use cases: the full loop, object-level access, evidence, ratings and concurrent transitions."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.errors import CityCarbonError
from citycarbon.services import cases
from citycarbon.services.platform_errors import Conflict, NotFound
from citycarbon.store.case_tables import NotificationOutbox, SupervisionCase, SupervisionCaseTransition
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import AuditEvent


def _open(world, org_index: int = 0, severity: str = "medium") -> int:
    return cases.open_manual_case(
        world.url,
        world.analyst,
        organisation_id=world.organisation_ids[org_index],
        severity=severity,
        title="Electricity reported vs grid data differ by 31%",
        department="大气环境科",
        now=world.t0,
    )


def test_a_case_walks_the_whole_loop_and_every_step_is_logged(world) -> None:
    case_id = _open(world)
    firm = world.enterprise(world.organisation_ids[0])
    cases.assign_case(world.url, world.analyst, case_id, department="执法一队")
    cases.start_inspection(world.url, world.analyst, case_id, mode="online")
    cases.require_rectification(world.url, world.analyst, case_id, note="meter misread")
    with pytest.raises(Conflict, match="at least one evidence file"):
        cases.submit_rectification(world.url, firm, case_id)
    evidence_id = cases.attach_evidence(
        world.url,
        firm,
        case_id,
        file_name="C:\\scan\\meter.pdf",
        content_type="application/pdf",
        content=b"%PDF-1.4 fixed",
    )
    cases.submit_rectification(world.url, firm, case_id)
    cases.verify_case(world.url, world.analyst, case_id, passed=False, note="photo unreadable")
    cases.submit_rectification(world.url, firm, case_id)
    done = cases.verify_case(world.url, world.analyst, case_id, passed=True)
    assert (done.from_state, done.to_state, done.actor_role) == ("verifying", "closed", "analyst")
    rating = cases.rate_case(world.url, firm, case_id, score=4, comment="快")
    with unit_of_work(world.url) as session:
        case = session.get(SupervisionCase, case_id)
        assert case is not None
        log = session.scalars(
            select(SupervisionCaseTransition)
            .where(SupervisionCaseTransition.case_id == case_id)
            .order_by(SupervisionCaseTransition.id)
        ).all()
        audited = session.scalars(select(AuditEvent.detail).where(AuditEvent.resource == "case")).all()
    assert case.state == "closed" and case.closed_at is not None and case.department == "执法一队"
    assert case.inspection_mode == "online"
    assert [(r.action, r.from_state, r.to_state, r.actor_role) for r in log] == [
        ("open", None, "open", "analyst"),
        ("assign", "open", "assigned", "analyst"),
        ("start_inspection", "assigned", "inspecting", "analyst"),
        ("require_rectification", "inspecting", "rectifying", "analyst"),
        ("submit", "rectifying", "verifying", "enterprise"),
        ("verify_fail", "verifying", "rectifying", "analyst"),
        ("submit", "rectifying", "verifying", "enterprise"),
        ("verify_pass", "verifying", "closed", "analyst"),
    ]
    assert log[5].note == "photo unreadable" and evidence_id > 0 and rating > 0
    assert f"case {case_id} evidence meter.pdf" in audited and f"case {case_id} rated 4" in audited
    with pytest.raises(Conflict, match="already rated"):
        cases.rate_case(world.url, firm, case_id, score=5)
    reopened = cases.reopen_case(world.url, world.admin, case_id, note="NOx high again")
    assert reopened.to_state == "assigned"


def test_object_level_access(world) -> None:
    inside = _open(world, 0)
    outside = cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[2],
        severity="low",
        title="Hangzhou firm",
    )
    other_firm = world.enterprise(world.organisation_ids[1])
    with pytest.raises(Forbidden, match="may not see or act on case"):
        cases.assign_case(world.url, world.analyst, outside)  # outside the analyst's Taizhou subtree
    with pytest.raises(Forbidden, match="may not see or act on case"):
        cases.attach_evidence(world.url, other_firm, inside, file_name="x", content_type="t", content=b"1")
    with pytest.raises(Forbidden, match=r"may not open a case|may not see or act"):
        cases.open_manual_case(
            world.url,
            world.enterprise(world.organisation_ids[0]),
            organisation_id=world.organisation_ids[0],
            severity="low",
            title="self",
        )
    own = world.enterprise(world.organisation_ids[0])
    with pytest.raises(Forbidden, match="The role enterprise may not take the action assign"):
        cases.assign_case(world.url, own, inside)
    with pytest.raises(NotFound):
        cases.assign_case(world.url, world.admin, 999_999)
    with pytest.raises(Forbidden, match="Only the enterprise concerned"):
        cases.rate_case(world.url, world.admin, inside, score=3)
    with pytest.raises(CityCarbonError, match="whole number from 1 to 5"):
        cases.rate_case(world.url, own, inside, score=6)
    with pytest.raises(Conflict, match="Only a closed case can be rated"):
        cases.rate_case(world.url, own, inside, score=3)
    with pytest.raises(Conflict, match="now in state open, not assigned"):
        cases.transition_case(world.url, world.admin, inside, "start_inspection", expected_state="assigned")


def test_an_oversized_or_empty_evidence_file_is_refused(world, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = _open(world)
    firm = world.enterprise(world.organisation_ids[0])
    with pytest.raises(CityCarbonError, match="is empty"):
        cases.attach_evidence(world.url, firm, case_id, file_name="a", content_type="t", content=b"")
    from citycarbon.settings import get_settings

    monkeypatch.setattr(get_settings(), "max_upload_bytes", 4)
    with pytest.raises(CityCarbonError, match="has 5 bytes; the limit is 4"):
        cases.attach_evidence(world.url, firm, case_id, file_name="a", content_type="t", content=b"12345")


def test_two_simultaneous_transitions_exactly_one_wins(world) -> None:
    for action, note in (("start_inspection", ""), ("close", "duplicate"), ("start_inspection", "")):
        case_id = _open(world)
        cases.assign_case(world.url, world.admin, case_id)
        barrier = threading.Barrier(2)
        outcomes: list[str] = []

        def act(
            case_id: int = case_id,
            action: str = action,
            note: str = note,
            barrier: threading.Barrier = barrier,
            outcomes: list[str] = outcomes,
        ) -> None:
            barrier.wait()
            try:
                cases.transition_case(
                    world.url, world.admin, case_id, action, note=note, inspection_mode="on_site"
                )
                outcomes.append("won")
            except Conflict:
                outcomes.append("refused")

        threads = [threading.Thread(target=act), threading.Thread(target=act)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["refused", "won"]
        with unit_of_work(world.url) as session:
            log = session.scalars(
                select(SupervisionCaseTransition.action).where(SupervisionCaseTransition.case_id == case_id)
            ).all()
        assert len(log) == 3  # open, assign, and exactly one of the two


def test_transitions_queue_notifications_in_the_same_transaction(world) -> None:
    from citycarbon.services.notifications import add_subscription

    add_subscription(world.url, "webhook", "http://127.0.0.1:9/hook")
    add_subscription(world.url, "email", "firm@example.cn", organisation_id=world.organisation_ids[1])
    case_id = _open(world, 0)
    with pytest.raises(Forbidden):  # a refused transition queues nothing
        cases.assign_case(world.url, world.enterprise(world.organisation_ids[0]), case_id)
    cases.assign_case(world.url, world.admin, case_id)
    with unit_of_work(world.url) as session:
        queued = session.execute(select(NotificationOutbox.event_kind, NotificationOutbox.target)).all()
    # the org-1 e-mail contact hears nothing about org 0's case
    assert sorted(queued) == [
        ("case_opened", "http://127.0.0.1:9/hook"),
        ("case_transition", "http://127.0.0.1:9/hook"),
    ]
