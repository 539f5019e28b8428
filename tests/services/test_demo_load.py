"""The demo city comes with its whole supervision loop: ratings, warnings, cases, index."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute

from citycarbon.services.demo import load_demo
from citycarbon.services.demo_cases import load_demo_cases
from citycarbon.services.demo_monitoring import load_demo_monitoring
from citycarbon.store.case_tables import SupervisionCase
from citycarbon.store.db import unit_of_work
from citycarbon.store.efficiency_tables import EfficiencyGrade
from citycarbon.store.indicator_tables import IndicatorRun
from citycarbon.store.monitoring_tables import SupervisionWarning


def _count(url: str, column: InstrumentedAttribute[int]) -> int:
    with unit_of_work(url) as session:
        return int(session.execute(select(func.count(column))).scalar() or 0)


def test_demo_city_is_rated_warned_cased_and_indexed(db_url: str) -> None:
    summary = load_demo(db_url, organisations=60, years=(2023, 2024))
    assert _count(db_url, EfficiencyGrade.id) > 0
    assert summary.warnings == _count(db_url, SupervisionWarning.id) > 0
    assert summary.cases == _count(db_url, SupervisionCase.id) > 0
    assert summary.index_runs == _count(db_url, IndicatorRun.id) > 0
    with unit_of_work(db_url) as session:
        closed = session.execute(
            select(func.count(SupervisionCase.id)).where(SupervisionCase.state == "closed")
        ).scalar()
    assert closed and closed > 0
    # Loading the supervision demo again adds nothing.
    assert load_demo_monitoring(db_url).skipped and load_demo_cases(db_url).skipped
    assert _count(db_url, SupervisionCase.id) == summary.cases
