"""The warnings service: rules run over the store, warnings stored once, evidence kept, cases opened."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select, update

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.monitoring_import import import_monitoring_file
from citycarbon.services.warnings import run_warnings
from citycarbon.services.warnings_queries import get_warning
from citycarbon.store.case_tables import SupervisionCase, SupervisionCaseWarning
from citycarbon.store.db import unit_of_work
from citycarbon.store.monitoring_tables import MonitoringGap, SupervisionWarning

from .conftest import USCC_A, USCC_B, MonitoredCity

ADMIN = Caller(Principal(user_id=1, username="admin", roles=frozenset({Role.ADMIN})))
NOW = dt.datetime(2026, 1, 1, 16, tzinfo=dt.UTC)  # 2 January, midnight China time


def hourly(uscc: str, site: str, outlet: str, pollutant: str, values: dict[int, float]) -> str:
    """Readings at the given hours of 1 January 2026 (China time)."""
    return "".join(
        f"{uscc},{site},{outlet},{pollutant},2026-01-01 {h:02d}:00,{v},mg/m3\n" for h, v in values.items()
    )


def load(monitored: MonitoredCity) -> None:
    body = "uscc,site_code,outlet_code,pollutant,observed_at,value,unit\n"
    # A: SO2 limit 550 mg/m3; 880 at 05:00 is 1.6 × the limit → high. Hourly all day.
    body += hourly(USCC_A, "S1", "DA001", "so2", {h: (880.0 if h == 5 else 100.0) for h in range(24)})
    # B: PM limit 30 mg/m3, hourly, silent from 06:00 to 17:00 (11 missing) and within limits.
    body += hourly(USCC_B, "K1", "DA001", "pm", {h: 10.0 for h in range(24) if not 6 <= h <= 16})
    import_monitoring_file(monitored.url, body.encode(), file_name="day.csv", kind="readings")


def test_a_run_finds_exceedances_and_gaps_and_a_rerun_adds_nothing(monitored: MonitoredCity) -> None:
    load(monitored)
    first = run_warnings(monitored.url, "2026-01", now=NOW)
    assert first.found_by_rule["limit_exceeded"] == 1
    with unit_of_work(monitored.url) as session:
        warnings = session.scalars(select(SupervisionWarning)).all()
        by_rule = {(w.rule_id, w.organisation_id): w for w in warnings}
        gaps = session.scalars(select(MonitoringGap)).all()
    exceeded = by_rule[("limit_exceeded", monitored.org_a)]
    assert (exceeded.severity, exceeded.pollutant_code, exceeded.rule_version) == ("high", "so2", "1")
    evidence = {e.name: e for e in get_warning(monitored.url, ADMIN, exceeded.id).evidence}
    assert evidence["max_value"].value_number == 880.0 and evidence["limit_value"].value_number == 550.0
    assert evidence["max_ratio"].value_number == 880.0 / 550.0
    # B silent 06:00–16:00 China time: 11 readings missing (> 3 → low, ≤ 24)
    gap = by_rule[("data_gap", monitored.org_b)]
    assert gap.severity == "low"
    assert {g.missing_intervals for g in gaps if g.ended_at is not None} == {11}
    second = run_warnings(monitored.url, "2026-01", now=NOW)
    assert second.new_count == 0
    with unit_of_work(monitored.url) as session:
        assert session.execute(select(func.count()).select_from(SupervisionWarning)).scalar_one() == len(
            warnings
        )


def test_one_case_is_opened_per_serious_finding(monitored: MonitoredCity) -> None:
    load(monitored)
    summary = run_warnings(monitored.url, "2026-01", now=NOW)
    with unit_of_work(monitored.url) as session:
        findings = session.execute(
            select(
                SupervisionWarning.organisation_id, SupervisionWarning.kind, SupervisionWarning.pollutant_code
            )
            .where(SupervisionWarning.severity.in_(("high", "critical")))
            .distinct()
        ).all()
        cases = session.execute(select(func.count()).select_from(SupervisionCase)).scalar_one()
        serious = session.execute(
            select(func.count()).where(SupervisionWarning.severity.in_(("high", "critical")))
        ).scalar_one()
        linked = session.execute(select(func.count()).select_from(SupervisionCaseWarning)).scalar_one()
    assert summary.cases_opened == cases == len(findings) >= 1
    assert linked == serious  # every serious warning is handled by exactly one case


def test_a_finding_with_an_open_case_opens_no_second_one_until_it_is_closed(monitored: MonitoredCity) -> None:
    load(monitored)
    first = run_warnings(monitored.url, "2026-01", now=NOW)
    with unit_of_work(monitored.url) as session:
        serious = session.scalars(
            select(SupervisionWarning).where(SupervisionWarning.severity.in_(("high", "critical")))
        ).all()
        # Forget the warnings' fingerprints (not the cases) so the next run finds them as new.
        for warning in serious:
            warning.fingerprint = f"old-{warning.id}"
    again = run_warnings(monitored.url, "2026-01", now=NOW)
    assert again.new_count >= len(serious) and again.cases_opened == 0
    with unit_of_work(monitored.url) as session:  # the repeats are linked to the open cases
        linked = session.execute(select(func.count()).select_from(SupervisionCaseWarning)).scalar_one()
    assert linked == 2 * len(serious)
    with unit_of_work(monitored.url) as session:
        session.execute(update(SupervisionCase).values(state="closed", closed_at=NOW))
        for warning in session.scalars(select(SupervisionWarning)).all():
            warning.fingerprint = f"older-{warning.id}"
    third = run_warnings(monitored.url, "2026-01", now=NOW)
    assert third.cases_opened == first.cases_opened


def test_nothing_to_evaluate(db_url: str) -> None:
    assert run_warnings(db_url).period_code is None
