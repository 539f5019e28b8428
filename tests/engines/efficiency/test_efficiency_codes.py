"""Code grids (positions of Enum code combinations) and the lookups and lists built on them."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from citycarbon.domain.efficiency.settings import BenchmarkSettings, WatchRule
from citycarbon.engines.efficiency.codes import CodeGrid, every_code

PERIODS = pl.Enum(["2023", "2024"])
CODES = pl.Enum(["C34", "C341", "C3411"])


def grid() -> CodeGrid:
    return CodeGrid((("period", every_code(PERIODS)), ("code", every_code(CODES))))


def test_positions_are_row_major_with_null_after_the_last_code() -> None:
    # 2 periods + null = 3 rows of 3 codes + null = 4 columns: position = period × 4 + code.
    frame = pl.DataFrame(
        {"period": ["2023", "2024", "2024", None], "code": ["C34", "C3411", None, "C341"]},
        schema={"period": PERIODS, "code": CODES},
    )
    positions = frame.select(grid().index().alias("p"))["p"].to_list()
    assert positions == [0 * 4 + 0, 1 * 4 + 2, 1 * 4 + 3, 2 * 4 + 1]
    decoded = frame.select(grid().index().alias("p")).select(grid().decode(pl.col("p")))
    assert decoded.rows() == frame.rows()
    assert grid().size == 12 and grid().frame().height == 12


def test_spread_table_is_gathered_by_position_and_null_matches_null() -> None:
    table = pl.DataFrame(
        {"period": ["2024", None], "code": ["C341", None], "value": [1.5, 9.0]},
        schema={"period": pl.String, "code": pl.String, "value": pl.Float64},
    )
    dense = grid().spread(table)
    frame = pl.DataFrame(
        {"period": ["2024", "2023", None], "code": ["C341", "C341", None]},
        schema={"period": PERIODS, "code": CODES},
    )
    assert frame.select(grid().gather(dense, ["value"]))["value"].to_list() == [1.5, None, 9.0]


def _two_years(first_id: int, second_id: int) -> list[dict[str, object]]:
    # Firm A: L = 100/100 = 1.0 in 2023 and 150/100 = 1.5 in 2024 → intensity change 1.5.
    # Firm B: L = 2.0 in both years → change 1.0.
    return [
        {"organisation_id": first_id, "period": "2023", "emissions_tco2e": 100.0},
        {"organisation_id": first_id, "period": "2024", "emissions_tco2e": 150.0},
        {"organisation_id": second_id, "period": "2023", "emissions_tco2e": 200.0},
        {"organisation_id": second_id, "period": "2024", "emissions_tco2e": 200.0},
    ]


@pytest.mark.parametrize("second_id", [2, 10**12], ids=["contiguous ids", "sparse ids"])
def test_intensity_change_with_contiguous_and_sparse_ids(kit: SimpleNamespace, second_id: int) -> None:
    # Contiguous ids use a dense id → intensity table, sparse ids a join: both give the same.
    frame = pl.DataFrame(
        [{**kit.firms({}).row(0, named=True), **row} for row in _two_years(1, second_id)],
        schema=kit.firms({}).schema,
    )
    rows = {(r["organisation_id"], r["period"]): r for r in kit.rate(frame).grades.iter_rows(named=True)}
    assert rows[(1, "2024")]["intensity_change"] == pytest.approx(1.5 / 1.0)
    assert rows[(second_id, "2024")]["intensity_change"] == pytest.approx(2.0 / 2.0)
    assert rows[(1, "2023")]["intensity_change"] is None  # no 2022 in the frame


def test_empty_frame_gives_empty_results(kit: SimpleNamespace) -> None:
    rule = WatchRule(rule_code="high", name_zh="高", name_en="high", min_energy_tce=1.0)
    result = kit.rate(kit.firms().clear(), settings=BenchmarkSettings(method="median"), rules=(rule,))
    assert result.grades.is_empty() and result.benchmarks.is_empty()
    assert result.watchlist.is_empty() and result.rollups.is_empty()


def test_watchlist_is_sorted_by_period_rule_code_and_organisation(kit: SimpleNamespace) -> None:
    # Rules given as "zeta" then "alpha": entries still come out alphabetically by rule code.
    zeta = WatchRule(rule_code="zeta", name_zh="z", name_en="z", min_energy_tce=10.0)
    alpha = WatchRule(rule_code="alpha", name_zh="a", name_en="a", min_energy_tce=10.0)
    frame = kit.firms(
        {"organisation_id": 2}, {"organisation_id": 1}, {"organisation_id": 3, "period": "2023"}
    )
    entries = kit.rate(frame, rules=(zeta, alpha)).watchlist
    assert entries.select("period", "rule_code", "organisation_id").rows() == [
        ("2023", "alpha", 3),
        ("2023", "zeta", 3),
        ("2024", "alpha", 1),
        ("2024", "alpha", 2),
        ("2024", "alpha", 3),
        ("2024", "zeta", 1),
        ("2024", "zeta", 2),
        ("2024", "zeta", 3),
    ]
