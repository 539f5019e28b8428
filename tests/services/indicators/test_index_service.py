"""Facts, parks, evaluation runs and history against a small ledger, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select

from citycarbon.domain.errors import CityCarbonError, ValidationFailed
from citycarbon.services.importing import import_file
from citycarbon.services.indicator_evaluation import evaluate_quarter, parse_quarter
from citycarbon.services.indicator_facts import load_quarter_facts, pollutant_facts
from citycarbon.services.ledger import recalculate
from citycarbon.services.parks import import_parks
from citycarbon.services.synergy_index import entity_detail, ranking
from citycarbon.store.db import unit_of_work
from citycarbon.store.indicator_tables import IndicatorRun, IndicatorScore
from citycarbon.store.tables import Organisation

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
USCC_A = "91330100716105852F"  # 331002
USCC_B = "914403001922038216"  # 331082


@pytest.fixture
def ledger(db_url: str, tmp_path: Path) -> str:
    import_file(db_url, EXAMPLES / "organisations.csv", file_name="organisations.csv")
    activity = tmp_path / "activity.csv"
    activity.write_text(
        "uscc,period,category,item,quantity,unit,certificate\n"
        f"{USCC_A},2024-01,electricity,grid,100,MWh,\n"
        f"{USCC_A},2024-02,electricity,grid,100,MWh,\n"
        f"{USCC_A},2024-05,electricity,grid,999,MWh,\n"
        f"{USCC_B},2024,electricity,grid,400,MWh,\n",
        "utf-8",
    )
    import_file(db_url, activity, file_name="activity.csv")
    recalculate(db_url)
    return db_url


def ids(url: str) -> dict[str, int]:
    with unit_of_work(url) as session:
        return {u: i for u, i in session.execute(select(Organisation.uscc, Organisation.id))}


def test_quarter_sums_months_and_prorates_annual_reports(ledger: str) -> None:
    with unit_of_work(ledger) as session:
        facts = load_quarter_facts(session, ledger, 2024, 1)
    by_id = {row["organisation_id"]: row for row in facts.iter_rows(named=True)}
    known = ids(ledger)
    a, b = by_id[known[USCC_A]], by_id[known[USCC_B]]
    assert a["electricity_grid_mwh"] == pytest.approx(200)  # January + February; May is Q2
    assert a["prorated_count"] == 0
    assert b["electricity_grid_mwh"] == pytest.approx(400 / 4)  # a quarter of the annual report
    assert b["prorated_count"] == 1
    assert a["organisation_count"] == 1 and a["reported_count"] == 1
    assert a["so2_t"] is None  # no monitoring data: missing, not zero


def test_pollutant_totals_become_one_column_per_field() -> None:
    totals = pl.DataFrame(
        {
            "organisation_id": [1, 1, 2, 2],
            "pollutant": ["so2", "nox", "so2", "co"],
            "quantity_t": [1.5, 2.0, 0.5, 9.0],
        }
    )
    wide = pollutant_facts(totals).sort("organisation_id")
    assert wide.select("organisation_id", "so2_t", "nox_t", "monitored_count").rows() == [
        (1, 1.5, 2.0, 1.0),
        (2, 0.5, None, 1.0),
    ]


def test_evaluation_is_stored_skipped_when_unchanged_and_kept_as_history(ledger: str) -> None:
    first = evaluate_quarter(ledger, "2024Q1", levels=["county", "city", "enterprise"])
    assert [(level.level, level.entities, level.skipped) for level in first.levels] == [
        ("county", 2, False),
        ("city", 1, False),
        ("enterprise", 2, False),
    ]
    again = evaluate_quarter(ledger, "2024-Q1", levels=["county"])
    assert again.levels[0].skipped and again.levels[0].run_id == first.levels[0].run_id
    forced = evaluate_quarter(ledger, "2024Q1", levels=["county"], force=True)
    with unit_of_work(ledger) as session:
        runs = (
            session.execute(select(IndicatorRun).where(IndicatorRun.entity_level == "county")).scalars().all()
        )
        assert sorted(r.superseded_at is None for r in runs) == [False, True]
        old_scores = (
            session.execute(select(IndicatorScore).where(IndicatorScore.run_id == first.levels[0].run_id))
            .scalars()
            .all()
        )
    assert len(old_scores) == 2 * 52  # history kept: 2 districts × 52 nodes
    board = ranking(ledger, "county", "2024-Q1")
    assert {e.code for e in board.entities} == {"331002", "331082"}
    assert board.periods == ["2024-Q1"]
    detail = entity_detail(ledger, "county", "331002")
    assert detail.period == "2024-Q1" and forced.levels[0].run_id is not None
    pollutant = next(n for n in detail.nodes if n.node_id == "A211")
    assert pollutant.missing_rule == "exclude" and pollutant.score is None


def test_quarter_text_must_be_a_quarter() -> None:
    assert parse_quarter("2024年第四季度") == (2024, 4)
    with pytest.raises(CityCarbonError, match="not a quarter"):
        parse_quarter("2024-03")


def test_parks_import_reports_every_problem_then_writes(ledger: str, tmp_path: Path) -> None:
    bad = tmp_path / "parks.csv"
    bad.write_text(
        "park_code,park_name,region_code,uscc\n"
        f"P1,椒江园,331002,{USCC_A}\n"
        "P1,椒江园,331002,910000000000000000\n"
        f"P 2,临海园,999999,{USCC_A}\n",
        "utf-8",
    )
    with pytest.raises(ValidationFailed) as caught:
        import_parks(ledger, bad)
    assert [(p.row, p.column) for p in caught.value.problems] == [(3, "uscc"), (4, "park_code")]
    good = tmp_path / "parks-ok.csv"
    good.write_text(
        f"park_code,park_name,region_code,uscc\nP1,椒江园,331002,{USCC_A}\nP2,临海园,331082,{USCC_B}\n",
        "utf-8",
    )
    summary = import_parks(ledger, good)
    assert (summary.parks, summary.members) == (2, 2)
    result = evaluate_quarter(ledger, "2024Q1", levels=["park"])
    assert result.levels[0].entities == 2
    assert {e.name for e in ranking(ledger, "park").entities} == {"椒江园", "临海园"}
