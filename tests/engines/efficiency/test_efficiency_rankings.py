"""Ranks by K within a group, as a page or report computes them on read."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from citycarbon.engines.efficiency.rankings import rank_by_k, rank_group


def test_hand_worked_three_firm_case_ranks_by_k(kit: SimpleNamespace) -> None:
    # E = 100, 300, 600 t; VA = 200, 300, 300 → L = 0.5, 1.0, 2.0; benchmark 1000/800 = 1.25,
    # K = 0.4, 0.8, 1.6 → ranks 1, 2, 3 (1 is the lowest K).
    frame = kit.firms(
        {"emissions_tco2e": 600.0, "value_added_10k_cny": 300.0},
        {"emissions_tco2e": 100.0, "value_added_10k_cny": 200.0},
        {"emissions_tco2e": 300.0, "value_added_10k_cny": 300.0},
    )
    ranked = rank_group(kit.rate(frame).grades)
    assert ranked["organisation_id"].to_list() == [2, 3, 1]
    assert ranked["rank"].to_list() == [1, 2, 3]
    assert ranked["k_industry"].to_list() == pytest.approx([0.4, 0.8, 1.6])


def test_ranks_compare_k_to_1e_9_and_ties_take_the_lowest_rank(kit: SimpleNamespace) -> None:
    # E = 0.1 + 0.2 (= 0.30000000000000004 in floating point), 0.3 and 0.6 t; VA = 1 each.
    # Benchmark = ΣE / ΣVA = 1.2 / 3 = 0.4, so K = 0.75, 0.75 and 1.5. The first two K differ only
    # in the last bit (as a parallel sum can make them); to 1e-9 they are equal, so both firms
    # rank 1, and the third ranks 3 (two firms have a lower K).
    frame = kit.firms(
        {"emissions_tco2e": 0.1 + 0.2, "value_added_10k_cny": 1.0},
        {"emissions_tco2e": 0.3, "value_added_10k_cny": 1.0},
        {"emissions_tco2e": 0.6, "value_added_10k_cny": 1.0},
    )
    grades = kit.rate(frame).grades
    rows = kit.by_id(grades)
    assert rows[1]["k_industry"] != rows[2]["k_industry"]  # unequal as floats
    ranked = rank_group(grades)
    assert ranked["organisation_id"].to_list() == [1, 2, 3]
    assert ranked["rank"].to_list() == [1, 1, 3]


def test_ungraded_firms_have_no_rank_and_come_last() -> None:
    rows = pl.DataFrame(
        {
            "organisation_id": [1, 2, 3, 4],
            "k_industry": [1.5, None, 0.5, 0.7],
            "grade": [4, None, 1, None],  # firm 4 has a K but no grade (not rated): no rank
        }
    )
    ranked = rank_group(rows)
    assert ranked["organisation_id"].to_list() == [3, 1, 2, 4]
    assert ranked["rank"].to_list() == [1, 2, None, None]


def test_rank_over_groups_matches_ranking_each_group() -> None:
    rows = pl.DataFrame(
        {"group": ["a", "a", "b", "b", "b"], "k_industry": [2.0, 1.0, 3.0, 1.0, 2.0], "grade": [3] * 5}
    )
    ranked = rows.with_columns(rank_by_k().over("group").alias("rank"))
    assert ranked["rank"].to_list() == [2, 1, 3, 1, 2]
