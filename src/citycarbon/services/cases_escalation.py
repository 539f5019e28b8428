"""Find overdue cases, raise their escalation level and tell the next level; remind before deadlines.

``citycarbon cases escalate`` runs :func:`escalate_overdue_cases` (from cron or a timer). It is
safe to run often and from two machines at once: each case is raised with a conditional
``UPDATE … WHERE escalation_level = <seen>``, so only one run escalates a case to a level, and
notifications carry idempotency keys naming the case and the level, so they are queued once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from citycarbon.domain.supervision.cases import (
    ESCALATION_LEVELS,
    ActorRole,
    CaseState,
    escalation_level_due,
    parse_severity,
)
from citycarbon.domain.supervision.notifications import EventKind
from citycarbon.refdata.cases import load_deadline_book
from citycarbon.services.notifications import Event, queue_event
from citycarbon.store.case_tables import SupervisionCase, SupervisionCaseTransition
from citycarbon.store.db import unit_of_work

#: Name recorded as the actor of automatic escalations.
ESCALATION_ACTOR = "escalation-job"


@dataclass(frozen=True, slots=True)
class Escalation:
    """One case raised by one run: from which level to which, and how long overdue [day]."""

    case_id: int
    organisation_id: int
    from_level: int
    to_level: int
    overdue_days: float


def escalate_overdue_cases(url: str, *, now: dt.datetime | None = None) -> list[Escalation]:
    """Raise every overdue, not-closed case to the level it is due; return what changed.

    Each newly reached level is told through its own subscriptions (escalation level *n*), so a
    case that jumps two levels in one run notifies both. The transition log records each
    escalation as the action ``escalate`` (the state itself does not change).
    """
    at = now or dt.datetime.now(dt.UTC)
    book = load_deadline_book()
    done: list[Escalation] = []
    with unit_of_work(url) as session:
        overdue = session.execute(
            select(
                SupervisionCase.id,
                SupervisionCase.organisation_id,
                SupervisionCase.state,
                SupervisionCase.severity,
                SupervisionCase.deadline_at,
                SupervisionCase.escalation_level,
            )
            .where(SupervisionCase.state != CaseState.CLOSED.value, SupervisionCase.deadline_at < at)
            .order_by(SupervisionCase.id)
        ).all()
        for case_id, org_id, state, severity, deadline_at, level in overdue:
            deadline = _aware(deadline_at)
            interval = book.policy(parse_severity(severity)).escalation_interval_days
            due = escalation_level_due(CaseState(state), deadline, at, interval)
            if due <= level:
                continue
            raised = session.execute(
                update(SupervisionCase)
                .where(SupervisionCase.id == case_id, SupervisionCase.escalation_level == level)
                .values(escalation_level=due, escalated_at=at, version=SupervisionCase.version + 1)
                .execution_options(synchronize_session=False)
            )
            if not raised.rowcount:  # type: ignore[attr-defined]
                continue  # another run raised it meanwhile
            overdue_days = (at - deadline) / dt.timedelta(days=1)
            session.add(
                SupervisionCaseTransition(
                    case_id=case_id,
                    action="escalate",
                    from_state=state,
                    to_state=state,
                    actor_user_id=None,
                    actor_username=ESCALATION_ACTOR,
                    actor_role=ActorRole.SYSTEM.value,
                    occurred_at=at,
                    note=f"escalation level {level} → {due} ({ESCALATION_LEVELS[due].value}); "
                    f"{overdue_days:.1f} days overdue",
                )
            )
            for reached in range(level + 1, due + 1):
                queue_event(
                    session,
                    Event(
                        EventKind.CASE_ESCALATED,
                        f"case:{case_id}:deadline:{deadline.isoformat()}:level:{reached}",
                        org_id,
                        {"case_id": case_id, "level": ESCALATION_LEVELS[reached].value},
                        {
                            "case_id": case_id,
                            "organisation_id": org_id,
                            "escalation_level": reached,
                            "escalated_to": ESCALATION_LEVELS[reached].value,
                            "deadline_at": deadline,
                            "overdue_days": round(overdue_days, 2),
                            "state": state,
                        },
                        case_id=case_id,
                        escalation_level=reached,
                    ),
                    now=at,
                )
            done.append(Escalation(case_id, org_id, level, due, overdue_days))
    return done


def queue_deadline_reminders(url: str, *, within_hours: float = 24.0, now: dt.datetime | None = None) -> int:
    """Remind the handling department and the enterprise of cases due within ``within_hours``.

    One reminder per case and deadline (the idempotency key names the deadline), however often
    this runs; a reopened case has a new deadline and so gets a new reminder.
    """
    at = now or dt.datetime.now(dt.UTC)
    horizon = at + dt.timedelta(hours=within_hours)
    queued = 0
    with unit_of_work(url) as session:
        due = session.execute(
            select(
                SupervisionCase.id,
                SupervisionCase.organisation_id,
                SupervisionCase.deadline_at,
                SupervisionCase.state,
                SupervisionCase.title,
            )
            .where(
                SupervisionCase.state != CaseState.CLOSED.value,
                SupervisionCase.deadline_at >= at,
                SupervisionCase.deadline_at <= horizon,
            )
            .order_by(SupervisionCase.id)
        ).all()
        for case_id, org_id, deadline_at, state, title in due:
            deadline = _aware(deadline_at)
            queued += queue_event(
                session,
                Event(
                    EventKind.DEADLINE_REMINDER,
                    f"case:{case_id}:deadline:{deadline.isoformat()}:reminder",
                    org_id,
                    {"case_id": case_id, "deadline": deadline.strftime("%Y-%m-%d %H:%M UTC")},
                    {
                        "case_id": case_id,
                        "organisation_id": org_id,
                        "deadline_at": deadline,
                        "state": state,
                        "title": title,
                    },
                    case_id=case_id,
                ),
                now=at,
            )
    return queued


def _aware(value: dt.datetime) -> dt.datetime:
    """SQLite returns naive datetimes; every stored time is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
