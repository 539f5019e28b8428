"""Deadlines by severity and overdue escalation with a fixed clock (case_deadlines@2026.1)."""

from __future__ import annotations

import datetime as dt

import pytest

from citycarbon.domain.supervision.cases import (
    MAX_ESCALATION_LEVEL,
    CaseState,
    Severity,
    deadline_for,
    escalation_level_due,
    handling_days,
    is_overdue,
)
from citycarbon.refdata.cases import load_deadline_book

OPENED = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(("severity", "days"), [("critical", 3), ("high", 7), ("medium", 15), ("low", 30)])
def test_deadline_is_opening_plus_the_severity_s_handling_days(severity: str, days: int) -> None:
    assert deadline_for(OPENED, Severity(severity), load_deadline_book()) == OPENED + days * DAY


def test_the_book_records_its_version_and_every_row_is_unverified() -> None:
    book = load_deadline_book()
    assert book.factor_set == "case_deadlines@2026.1"
    assert {s: p.escalation_interval_days for s, p in book.policies.items()} == {
        Severity.CRITICAL: 1,
        Severity.HIGH: 2,
        Severity.MEDIUM: 5,
        Severity.LOW: 10,
    }


def test_overdue_only_past_the_deadline_and_never_when_closed() -> None:
    deadline = OPENED + 7 * DAY
    assert not is_overdue(CaseState.RECTIFYING, deadline, deadline)
    assert is_overdue(CaseState.RECTIFYING, deadline, deadline + dt.timedelta(seconds=1))
    assert not is_overdue(CaseState.CLOSED, deadline, deadline + 100 * DAY)


@pytest.mark.parametrize(
    ("overdue_days", "level"),
    # high: interval 2 days → level = 1 + floor(overdue / 2), capped at 3
    [(0, 0), (0.5, 1), (1.99, 1), (2, 2), (3.9, 2), (4, 3), (40, 3)],
)
def test_escalation_climbs_one_level_per_interval(overdue_days: float, level: int) -> None:
    deadline = OPENED + 7 * DAY
    now = deadline + dt.timedelta(days=overdue_days)
    assert escalation_level_due(CaseState.INSPECTING, deadline, now, 2.0) == level
    assert MAX_ESCALATION_LEVEL == 3


def test_handling_days_are_calendar_days() -> None:
    assert handling_days(OPENED, OPENED + dt.timedelta(hours=66)) == pytest.approx(2.75)
