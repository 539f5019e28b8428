"""The demo cases: every kind of case is there, timelines are back-dated, loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from citycarbon.services.case_metrics import case_metrics
from citycarbon.services.demo import load_demo_ledger
from citycarbon.services.demo_cases import load_demo_cases
from citycarbon.store.case_tables import SupervisionCase, SupervisionCaseTransition
from citycarbon.store.db import unit_of_work

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_demo_cases_cover_every_kind_and_make_metrics_meaningful(db_url: str, world) -> None:
    load_demo_ledger(db_url, organisations=12, years=(2024,))
    summary = load_demo_cases(db_url, now=NOW)
    assert summary.cases == 50 and not summary.skipped
    assert {"open", "assigned", "inspecting", "rectifying", "verifying", "closed"} <= set(summary.by_state)
    assert summary.overdue > 0 and summary.escalated > 0 and summary.rated > 0
    with unit_of_work(db_url) as session:
        reopened = session.scalar(select(SupervisionCase.id).where(SupervisionCase.reopen_count > 0))
        latest = session.scalar(
            select(SupervisionCaseTransition.occurred_at).order_by(
                SupervisionCaseTransition.occurred_at.desc()
            )
        )
    assert reopened is not None and latest is not None and latest.replace(tzinfo=dt.UTC) <= NOW
    metrics = case_metrics(db_url, world.admin, start=NOW - dt.timedelta(days=365), end=NOW, as_of=NOW)
    total = metrics.total
    assert total.cases_opened == 50
    assert total.average_handling_days is not None and 0 < total.average_handling_days < 60
    assert total.mean_satisfaction is not None and 1 <= total.mean_satisfaction <= 5
    assert 0 < (total.reopen_rate or 0) < 1
    assert load_demo_cases(db_url, now=NOW).skipped
