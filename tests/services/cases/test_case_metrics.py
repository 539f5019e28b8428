"""Case metrics on a small hand-computed set (Taizhou 331000, period [t0, t0 + 10 d), as of t0 + 40 d)."""

from __future__ import annotations

import datetime as dt

import pytest

from citycarbon.domain.access.policy import Forbidden
from citycarbon.services import cases
from citycarbon.services.case_metrics import case_metrics

DAY = dt.timedelta(days=1)


def _case(world, org: int, severity: str, opened: float, department: str | None) -> int:
    return cases.open_manual_case(
        world.url,
        world.admin,
        organisation_id=world.organisation_ids[org],
        severity=severity,
        title="t",
        department=department,
        now=world.t0 + opened * DAY,
    )


def _close(world, case_id: int, at: float) -> None:
    cases.transition_case(world.url, world.admin, case_id, "close", note="done", now=world.t0 + at * DAY)


def test_metrics_per_district_and_department(world) -> None:
    t0 = world.t0
    firm0 = world.enterprise(world.organisation_ids[0])
    a = _case(world, 0, "high", 0, "执法一队")  # closed after 2 days, deadline 7: on time; rated 5
    _close(world, a, 2)
    cases.rate_case(world.url, firm0, a, score=5)
    b = _case(
        world, 0, "critical", 0, "执法一队"
    )  # closed day 4 (late), reopened day 5 (deadline 8), closed day 6
    _close(world, b, 4)
    cases.rate_case(world.url, firm0, b, score=2)
    cases.transition_case(world.url, world.admin, b, "reopen", note="again", now=t0 + 5 * DAY)
    _close(world, b, 6)
    cases.rate_case(world.url, firm0, b, score=4)  # the latest rating counts
    _case(world, 1, "low", 1, None)  # still open; deadline day 31 → overdue at day 40
    f = _case(world, 1, "critical", 2, "执法二队")  # deadline day 5, closed day 6: late
    _close(world, f, 6)
    _case(world, 2, "low", 1, "执法一队")  # Hangzhou: outside 331000
    _case(world, 0, "low", -1, "执法一队")  # opened before the period

    result = case_metrics(world.url, world.analyst, start=t0, end=t0 + 10 * DAY, as_of=t0 + 40 * DAY)
    rows = {(r.region_code, r.department): r for r in result.rows}
    assert set(rows) == {("331002", "执法一队"), ("331003", "—"), ("331003", "执法二队")}
    jiaojiang = rows[("331002", "执法一队")]
    assert jiaojiang.region_name == "椒江区"
    assert (jiaojiang.cases_opened, jiaojiang.cases_closed) == (2, 2)
    assert jiaojiang.average_handling_days == pytest.approx((2 + 6) / 2)
    assert jiaojiang.on_time_rate == pytest.approx(1.0)
    assert jiaojiang.reopen_rate == pytest.approx(1 / 2)
    assert jiaojiang.mean_satisfaction == pytest.approx((5 + 4) / 2)
    waiting = rows[("331003", "—")]
    assert (waiting.open_count, waiting.overdue_count, waiting.average_handling_days) == (1, 1, None)
    assert rows[("331003", "执法二队")].on_time_rate == pytest.approx(0.0)
    total = result.total
    assert (total.region_code, total.cases_opened, total.cases_closed) == ("331000", 4, 3)
    assert total.average_handling_days == pytest.approx((2 + 6 + 4) / 3)
    assert total.on_time_rate == pytest.approx(2 / 3)
    assert total.reopen_rate == pytest.approx(1 / 4)
    assert total.mean_satisfaction == pytest.approx(4.5)
    assert (total.open_count, total.overdue_count) == (1, 1)


def test_metrics_scope(world) -> None:
    t0 = world.t0
    with pytest.raises(Forbidden):
        case_metrics(world.url, world.analyst, start=t0, end=t0 + DAY, region_code="330100")  # Hangzhou
    with pytest.raises(Forbidden):
        case_metrics(world.url, world.enterprise(world.organisation_ids[0]), start=t0, end=t0 + DAY)
    empty = case_metrics(world.url, world.admin, start=t0, end=t0 + DAY)
    assert empty.rows == () and empty.total.cases_opened == 0 and empty.total.average_handling_days is None
