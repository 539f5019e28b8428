"""Rating through the real services on SQLite and PostgreSQL, against the hand-worked case.

The case (five C3411 firms, electricity only, K = 0.4375, 0.875, 3.5) is laid out in
``conftest.py`` next to this file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from citycarbon.refdata.grading import load_grading_scheme
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.rating import rate, rate_if_needed, read_grades
from citycarbon.store import efficiency_repository as repo
from citycarbon.store.db import unit_of_work
from citycarbon.store.efficiency_tables import (
    EfficiencyBenchmark,
    EfficiencyGrade,
    EfficiencyRollup,
    RatingRun,
)

from .conftest import FACTOR, A, B, C, D, E, options


def test_annual_rating_matches_the_hand_worked_case(city: str) -> None:
    summary = rate(city, "2024", options())
    assert (summary.organisations, summary.rated) == (5, 3)  # the individual business is not rated
    assert summary.grades == {"1": 1, "2": 0, "3": 1, "4": 0, "5": 1}
    assert summary.not_rated == {"value_added_missing": 1, "output_not_positive": 1}
    rows = {r["uscc"]: r for r in read_grades(city, "2024", "huzhou").iter_rows(named=True)}
    assert rows[A]["emissions_tco2e"] == pytest.approx(1000 * FACTOR)
    assert rows[A]["value_added_10k_cny"] == pytest.approx(1000)
    assert rows[A]["benchmark_tco2e_per_10k_cny"] == pytest.approx(4000 * FACTOR / 1750)
    assert [rows[x]["k_industry"] for x in (A, B, C)] == pytest.approx([0.4375, 0.875, 3.5])
    assert [rows[x]["grade"] for x in (A, B, C)] == [1, 3, 5]
    # L = 0.5306, 1.0612, 4.2448 tCO2e/10^4 CNY → low, medium, high carbon.
    assert [rows[x]["level_code"] for x in (A, B, C)] == ["low", "medium", "high"]
    assert rows[C]["emissions_per_mu_tco2e"] == pytest.approx(2000 * FACTOR / 10)
    assert rows[D]["not_rated_reason"] == "value_added_missing"
    assert rows[E]["not_rated_reason"] == "output_not_positive"
    assert {r["scheme_version"] for r in rows.values()} == {load_grading_scheme().version}


def test_benchmark_records_its_peers_and_rollups_are_stored(city: str) -> None:
    summary = rate(city, "2024", options())
    with unit_of_work(city) as session:
        benchmark = session.execute(
            select(EfficiencyBenchmark).where(
                EfficiencyBenchmark.rating_run_id == summary.run_id,
                EfficiencyBenchmark.industry_level == "class",
            )
        ).scalar_one()
        assert (benchmark.industry_code, benchmark.peer_count, benchmark.method) == (
            "C3411",
            3,
            "total_ratio",
        )
        peers = repo.benchmark_peers(session, benchmark.id)
        grades = read_grades(city, "2024", "huzhou")
        expected = sorted(grades.filter(grades["uscc"].is_in([A, B, C]))["organisation_id"].to_list())
        assert peers == expected
        county = session.execute(
            select(EfficiencyRollup).where(
                EfficiencyRollup.rating_run_id == summary.run_id, EfficiencyRollup.code == "331002"
            )
        ).scalar_one()
        assert (county.organisation_count, county.rated_count, county.grade_5_count) == (5, 3, 1)
        assert county.emissions_tco2e == pytest.approx(4200 * FACTOR)


def test_rating_again_keeps_the_old_run_as_history(city: str) -> None:
    first = rate(city, "2024", options())
    second = rate(city, "2024", options())
    with unit_of_work(city) as session:
        runs = dict(session.execute(select(RatingRun.id, RatingRun.superseded_at)).all())
        assert runs[first.run_id] is not None and runs[second.run_id] is None
        current = select(func.count()).where(EfficiencyGrade.superseded_at.is_(None))
        assert session.execute(current).scalar() == 5
        assert session.execute(select(func.count()).select_from(EfficiencyGrade)).scalar() == 10


def test_rate_if_needed_rates_once_and_again_after_new_data(city: str, tmp_path: Path) -> None:
    first = rate_if_needed(city)
    assert {(s.period, s.scheme.split("@")[0], s.skipped) for s in first} == {
        ("2024", "huzhou", False),
        ("2024", "quzhou", False),
    }
    assert all(s.skipped for s in rate_if_needed(city))
    extra = tmp_path / "more.csv"
    extra.write_text(
        f"uscc,period,category,item,quantity,unit\n{A},2024-03,electricity,grid,10,MWh\n", "utf-8"
    )
    import_file(city, extra, file_name="more.csv")
    recalculate(city, years=[2024])
    assert not any(s.skipped for s in rate_if_needed(city))


def test_quarter_rating_uses_the_months_inside_it(city: str) -> None:
    summary = rate(city, "2024-Q1", options("quzhou"))
    assert summary.period == "2024-Q1" and summary.rated == 3
    rows = {r["uscc"]: r for r in read_grades(city, "2024-Q1", "quzhou").iter_rows(named=True)}
    assert rows[B]["k_industry"] == pytest.approx(0.875)
    assert rows[B]["grade_code"] == "light_green"  # K 0.875 and k_region 0.875 fall in (0.8, 1.2]
    assert rate(city, "2024-Q2", options()).rated == 0


def test_profile_rating_for_green_finance(city: str) -> None:
    from citycarbon.services.rating import profile_rating

    rate(city, "2024", options())
    grades = read_grades(city, "2024", "huzhou")
    ids = dict(grades.select("uscc", "organisation_id").iter_rows())
    with unit_of_work(city) as session:
        found = profile_rating(session, ids[C])
        assert found is not None
        assert (found.grade, found.trend, found.period_code) == ("5", None, "2024")
        assert profile_rating(session, ids[D]) is None  # not rated: no grade to show
