"""Overdue detection and escalation with a fixed clock; deadline reminders once per deadline."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from citycarbon.services import cases
from citycarbon.services.cases_escalation import escalate_overdue_cases, queue_deadline_reminders
from citycarbon.services.notifications import add_subscription
from citycarbon.store.case_tables import NotificationOutbox, SupervisionCase, SupervisionCaseTransition
from citycarbon.store.db import unit_of_work

DAY = dt.timedelta(days=1)


def test_overdue_cases_climb_one_level_per_interval_and_notify_each_new_level(world) -> None:
    for level in (1, 2, 3):
        add_subscription(world.url, "email", f"level{level}@tz.gov.cn", escalation_level=level)
    high = cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[0],
        severity="high",
        title="high",
        now=world.t0,
    )  # due t0 + 7 d, interval 2 d
    low = cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[1],
        severity="low",
        title="low",
        now=world.t0,
    )  # due t0 + 30 d
    closed = cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[1],
        severity="critical",
        title="closed",
        now=world.t0,
    )
    cases.close_case(world.url, world.admin, closed, note="false alarm")

    assert escalate_overdue_cases(world.url, now=world.t0 + 7 * DAY) == []  # exactly at the deadline
    first = escalate_overdue_cases(world.url, now=world.t0 + 7.5 * DAY)
    assert [(e.case_id, e.from_level, e.to_level) for e in first] == [(high, 0, 1)]
    assert (
        escalate_overdue_cases(world.url, now=world.t0 + 8 * DAY) == []
    )  # still level 1 (0.5 + 0.5 < 2 days)
    # 4.5 days overdue: 1 + floor(4.5 / 2) = 3, skipping level 2 in one run
    jump = escalate_overdue_cases(world.url, now=world.t0 + 11.5 * DAY)
    assert [(e.case_id, e.from_level, e.to_level) for e in jump] == [(high, 1, 3)]
    assert escalate_overdue_cases(world.url, now=world.t0 + 100 * DAY)[0].case_id == low

    with unit_of_work(world.url) as session:
        outbox = (
            session.execute(
                select(NotificationOutbox.target).where(
                    NotificationOutbox.event_kind == "case_escalated", NotificationOutbox.case_id == high
                )
            )
            .scalars()
            .all()
        )
        log = session.scalars(
            select(SupervisionCaseTransition.note).where(
                SupervisionCaseTransition.case_id == high, SupervisionCaseTransition.action == "escalate"
            )
        ).all()
        level = session.scalar(select(SupervisionCase.escalation_level).where(SupervisionCase.id == high))
    assert sorted(outbox) == ["level1@tz.gov.cn", "level2@tz.gov.cn", "level3@tz.gov.cn"]
    assert level == 3 and len(log) == 2 and "1 → 3 (city_supervision)" in log[1]


def test_reopening_resets_escalation_and_sets_a_fresh_deadline(world) -> None:
    case_id = cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[0],
        severity="critical",
        title="c",
        now=world.t0,
    )
    escalate_overdue_cases(world.url, now=world.t0 + 5 * DAY)
    cases.transition_case(world.url, world.admin, case_id, "close", note="fixed", now=world.t0 + 5 * DAY)
    cases.transition_case(world.url, world.admin, case_id, "reopen", note="again", now=world.t0 + 6 * DAY)
    with unit_of_work(world.url) as session:
        case = session.get(SupervisionCase, case_id)
        assert case is not None
        assert case.escalation_level == 0 and case.reopen_count == 1 and case.closed_at is None
        assert case.deadline_at.replace(tzinfo=dt.UTC) == world.t0 + 9 * DAY  # reopened + 3 days


def test_deadline_reminder_is_queued_once_per_deadline(world) -> None:
    add_subscription(world.url, "webhook", "https://hooks.example.cn/tz")
    cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[0],
        severity="critical",
        title="c",
        now=world.t0,
    )  # due t0 + 3 d
    assert queue_deadline_reminders(world.url, now=world.t0 + 1 * DAY) == 0  # due in 48 h: not yet
    assert queue_deadline_reminders(world.url, now=world.t0 + 2.5 * DAY) == 1
    assert queue_deadline_reminders(world.url, now=world.t0 + 2.6 * DAY) == 0
