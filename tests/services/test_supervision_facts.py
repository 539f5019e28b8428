"""Warning and case counts per quarter, as the synergy index reads them (hand-counted cases)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from citycarbon.services.supervision_facts import fill_supervision_counts, quarterly_supervision_counts
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import SupervisionWarning, WarningRun
from citycarbon.store.tables import Organisation

UTC = dt.UTC


def _warning(session: object, run_id: int, org: int, n: int, **subject: object) -> int:
    warning = SupervisionWarning(
        fingerprint=f"fp{n}", rule_id="limit_exceeded", rule_version="1", rule_set="warning_rules@2026.1",
        kind="limit", severity="high", organisation_id=org, first_run_id=run_id, **subject,
    )  # fmt: skip
    session.add(warning)  # type: ignore[attr-defined]
    session.flush()  # type: ignore[attr-defined]
    return warning.id


def _case(org: int, opened: dt.datetime, due: dt.datetime, closed: dt.datetime | None, warning: int | None):
    state = "closed" if closed else "assigned"
    return SupervisionCase(
        organisation_id=org, severity="high", title="t", warning_id=warning, state=state, deadline_at=due,
        deadline_set="case_deadlines@2026.1", opened_by="test", opened_at=opened, closed_at=closed,
    )  # fmt: skip


@pytest.fixture
def city(db_url: str) -> tuple[str, list[int]]:
    with unit_of_work(db_url) as session:
        orgs = [
            Organisation(uscc=f"91331000MA2C{n:05d}X", name=f"企业{n}", region_code="331002")
            for n in (1, 2, 3)
        ]
        session.add_all(orgs)
        run = WarningRun(rule_set="warning_rules@2026.1", period_code="2024-12", trigger="test")
        session.add(run)
        session.flush()
        a, b, c = (o.id for o in orgs)
        w1 = _warning(session, run.id, a, 1, period_code="2024-11")  # 2024-Q4
        # 2024-12-31 17:00 UTC is 2025-01-01 01:00 in China: the next year's first quarter.
        w2 = _warning(session, run.id, a, 2, window_start_at=dt.datetime(2024, 12, 31, 17, tzinfo=UTC))
        _warning(session, run.id, b, 3, period_code="2024")  # a whole year ends in its Q4
        _warning(session, run.id, b, 4, period_code="2024-06")  # 2024-Q2
        opened = dt.datetime(2026, 3, 1, tzinfo=UTC)  # cases of warnings count in the warning's quarter
        session.add_all([
            _case(a, opened, opened + dt.timedelta(days=7), opened + dt.timedelta(days=5), w1),
            _case(a, opened, opened + dt.timedelta(days=7), None, w2),
            _case(c, dt.datetime(2024, 10, 5, tzinfo=UTC), dt.datetime(2024, 10, 12, tzinfo=UTC), None, None),
        ])  # fmt: skip
    return db_url, [a, b, c]


def _facts(url: str, year: int, quarter: int, orgs: list[int]) -> dict[int, dict[str, float | None]]:
    with unit_of_work(url) as session:
        counts = quarterly_supervision_counts(session, year, quarter)
    frame = fill_supervision_counts(pl.DataFrame({"organisation_id": orgs}), counts)
    return {row.pop("organisation_id"): row for row in frame.to_dicts()}


def test_warnings_count_by_subject_and_cases_by_their_warning(
    city: tuple[str, list[int]],
) -> None:
    url, (a, b, c) = city
    facts = _facts(url, 2024, 4, [a, b, c])
    keys = ("warning_count", "case_count", "case_closed_count", "case_closed_on_time_count")
    assert [facts[a][k] for k in keys] == [1.0, 1.0, 1.0, 1.0]
    assert [facts[b][k] for k in keys] == [1.0, 0.0, 0.0, 0.0]  # cases exist in the quarter: zero
    assert [facts[c][k] for k in keys] == [0.0, 1.0, 0.0, 0.0]  # the rules ran for 2024-12: zero


def test_quarter_the_rules_never_covered_stays_unknown(city: tuple[str, list[int]]) -> None:
    url, (a, b, c) = city
    facts = _facts(url, 2024, 2, [a, b, c])
    assert facts[b]["warning_count"] == 1.0
    assert facts[a]["warning_count"] is None and facts[c]["warning_count"] is None
    assert all(facts[o]["case_count"] is None for o in (a, b, c))


def test_late_window_counts_in_the_china_time_quarter(city: tuple[str, list[int]]) -> None:
    url, (a, _, _) = city
    facts = _facts(url, 2025, 1, [a])
    assert facts[a]["warning_count"] == 1.0 and facts[a]["case_count"] == 1.0
    assert facts[a]["case_closed_count"] == 0.0
