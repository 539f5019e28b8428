"""The evaluation engine against hand-computed examples: normalisation, weights, aggregation, gaps."""

from __future__ import annotations

import math
from typing import Any

import polars as pl
import pytest

from citycarbon.domain.indicators.definition import IndicatorTree, build_tree
from citycarbon.engines.indicators.evaluate import entropy_weights, evaluate_tree
from citycarbon.engines.indicators.rollup import region_facts

RI = {1: 0.0, 2: 0.0, 3: 0.58}


def tree(*leaves: dict[str, Any], root: dict[str, Any] | None = None) -> IndicatorTree:
    nodes = [{"id": "R", "name_zh": "R", "name_en": "R", **(root or {})}]
    for spec in leaves:
        nodes.append(
            {
                "parent": "R",
                "name_zh": spec["id"],
                "name_en": spec["id"],
                "unit": "1",
                "direction": "higher_is_better",
                "normalisation": "min_max",
                "missing": "exclude",
                **spec,
            }
        )
    raw = {"code": "t", "version": "1", "name_zh": "t", "name_en": "t", "nodes": nodes}
    return build_tree(raw, fields={"a", "b", "c"}, random_index=RI)


def facts(**columns: list[float | None]) -> pl.DataFrame:
    size = len(next(iter(columns.values())))
    return pl.DataFrame({"entity_id": [f"e{i}" for i in range(size)], **columns}, strict=False).with_columns(
        pl.exclude("entity_id").cast(pl.Float64)
    )


def values(result: Any, node: str, column: str = "value") -> list[Any]:
    frame = result.scores.filter(pl.col("node_id") == node).sort("entity_id")
    return list(frame[column].to_list())


def test_min_max_both_directions() -> None:
    t = tree({"id": "H", "formula": "a"}, {"id": "L", "formula": "a", "direction": "lower_is_better"})
    result = evaluate_tree(t, facts(a=[10, 20, 40]))
    assert values(result, "H") == pytest.approx([0, 10 / 30, 1])
    assert values(result, "L") == pytest.approx([1, 20 / 30, 0])
    assert values(result, "H", "score") == pytest.approx([0, 100 / 3, 100])


def test_min_max_of_equal_values_is_best_for_all() -> None:
    result = evaluate_tree(tree({"id": "H", "formula": "a"}), facts(a=[5, 5]))
    assert values(result, "H") == [1.0, 1.0]


def test_z_score_uses_the_population_standard_deviation() -> None:
    t = tree({"id": "Z", "formula": "a", "normalisation": "z_score"})
    sigma = math.sqrt(((1 - 2) ** 2 + 0 + (3 - 2) ** 2) / 3)
    assert values(evaluate_tree(t, facts(a=[1, 2, 3])), "Z") == pytest.approx([-1 / sigma, 0, 1 / sigma])


def test_distance_to_target() -> None:
    t = tree(
        {"id": "H", "formula": "a", "normalisation": "distance_to_target", "target": 100},
        {
            "id": "L",
            "formula": "b",
            "normalisation": "distance_to_target",
            "target": 10,
            "direction": "lower_is_better",
        },
    )
    result = evaluate_tree(t, facts(a=[50, 100, 150], b=[5, 15, 25]))
    assert values(result, "H") == pytest.approx([0.5, 1, 1])  # 1 − (100 − 50)/100
    assert values(result, "L") == pytest.approx([1, 0.5, 0])  # 1 − (15 − 10)/10, floored at 0


def target_leaf(node_id: str, formula: str) -> dict[str, Any]:
    # distance to target 1 keeps values in [0, 1] unchanged: easy to compute by hand.
    return {"id": node_id, "formula": formula, "normalisation": "distance_to_target", "target": 1}


def test_equal_expert_and_geometric_aggregation() -> None:
    data = facts(a=[0.25], b=[1.0])
    equal = evaluate_tree(tree(target_leaf("A", "a"), target_leaf("B", "b")), data)
    assert values(equal, "R") == pytest.approx([(0.25 + 1) / 2])
    expert = tree(
        target_leaf("A", "a") | {"weight": 0.6},
        target_leaf("B", "b") | {"weight": 0.4},
        root={"weighting": "expert"},
    )
    assert values(evaluate_tree(expert, data), "R") == pytest.approx([0.6 * 0.25 + 0.4 * 1])
    geometric = tree(target_leaf("A", "a"), target_leaf("B", "b"), root={"aggregation": "geometric"})
    assert values(evaluate_tree(geometric, data), "R") == pytest.approx([math.sqrt(0.25 * 1)])


def test_ahp_weights_are_used_in_aggregation() -> None:
    t = tree(
        target_leaf("A", "a"),
        target_leaf("B", "b"),
        root={"weighting": "ahp", "ahp": {"order": ["A", "B"], "matrix": [[1, 3], ["1/3", 1]]}},
    )
    assert values(evaluate_tree(t, facts(a=[0.2], b=[0.6])), "R") == pytest.approx([0.75 * 0.2 + 0.25 * 0.6])


def entropy_by_hand(column: list[float]) -> float:
    total = sum(column)
    p = [x / total for x in column]
    return -sum(q * math.log(q) for q in p if q > 0) / math.log(len(column))


def test_entropy_weights_of_a_small_table() -> None:
    a, b = [0.2, 0.4, 0.4], [0.1, 0.1, 0.8]
    d_a, d_b = 1 - entropy_by_hand(a), 1 - entropy_by_hand(b)  # 0.0398, 0.4183
    expected = [d_a / (d_a + d_b), d_b / (d_a + d_b)]
    frame = pl.DataFrame({"a": a, "b": b})
    assert entropy_weights(frame, ["a", "b"]) == pytest.approx(expected, abs=1e-12)
    assert math.isclose(expected[1], 0.9132, abs_tol=1e-4)
    t = tree(target_leaf("A", "a"), target_leaf("B", "b"), root={"weighting": "entropy"})
    result = evaluate_tree(t, facts(a=a, b=b))
    assert values(result, "R") == pytest.approx(
        [expected[0] * x + expected[1] * y for x, y in zip(a, b, strict=True)]
    )
    weights = dict(result.weights.select("node_id", "weight").iter_rows())
    assert weights == pytest.approx({"A": expected[0], "B": expected[1]})


def test_entropy_of_identical_values_falls_back_to_equal_weights() -> None:
    assert entropy_weights(pl.DataFrame({"a": [1.0, 1.0], "b": [2.0, 2.0]}), ["a", "b"]) == [0.5, 0.5]


def test_exclude_renormalises_the_remaining_weights() -> None:
    t = tree(
        target_leaf("A", "a") | {"weight": 0.6},
        target_leaf("B", "b") | {"weight": 0.4},
        root={"weighting": "expert"},
    )
    result = evaluate_tree(t, facts(a=[0.5, 0.5], b=[1.0, None]))
    assert values(result, "R") == pytest.approx([0.6 * 0.5 + 0.4 * 1.0, 0.5])  # 0.6·0.5 / 0.6
    assert values(result, "B", "missing_rule") == [None, "exclude"]


def test_division_by_zero_is_missing_not_infinite() -> None:
    result = evaluate_tree(tree(target_leaf("A", "a / b")), facts(a=[1.0, 1.0], b=[2.0, 0.0]))
    assert values(result, "A", "raw_value") == [0.5, None]
    assert values(result, "R") == [0.5, None]
    assert values(result, "R", "rank") == [1, None]


def test_worst_takes_the_worst_observed_value() -> None:
    t = tree(
        {"id": "L", "formula": "a", "direction": "lower_is_better", "missing": "worst"},
        {"id": "H", "formula": "b", "missing": "worst"},
    )
    result = evaluate_tree(t, facts(a=[1, 3, None], b=[1, 3, None]))
    assert values(result, "L", "raw_value") == [1, 3, 3]  # lower is better: the maximum
    assert values(result, "H", "raw_value") == [1, 3, 1]  # higher is better: the minimum
    assert values(result, "L", "missing_rule") == [None, None, "worst"]
    assert values(result, "L") == [1, 0, 0]


def test_region_median_uses_the_peer_group() -> None:
    t = tree({"id": "M", "formula": "a", "missing": "region_median"})
    data = facts(a=[1, 3, None, 10, None]).with_columns(
        pl.Series("peer_group", ["g1", "g1", "g1", "g2", "g3"])
    )
    result = evaluate_tree(t, data)
    assert values(result, "M", "raw_value") == [1, 3, 2, 10, None]  # g3 has no peer with data
    assert values(result, "M", "missing_rule") == [None, None, "region_median", None, "exclude"]


def test_carry_last_takes_the_previous_raw_value() -> None:
    t = tree({"id": "C", "formula": "a", "missing": "carry_last"})
    previous = pl.DataFrame({"entity_id": ["e0", "e1"], "node_id": ["C", "C"], "raw_value": [9.0, 7.0]})
    result = evaluate_tree(t, facts(a=[4, None, None]), previous)
    assert values(result, "C", "raw_value") == [4, 7, None]
    assert values(result, "C", "missing_rule") == [None, "carry_last", "exclude"]


def test_ranks_are_best_first_and_ties_share() -> None:
    result = evaluate_tree(tree({"id": "H", "formula": "a"}), facts(a=[1, 3, 3, 2]))
    assert values(result, "R", "rank") == [4, 1, 1, 3]


def test_region_roll_up_sums_and_keeps_missing() -> None:
    enterprise = pl.DataFrame(
        {
            "organisation_id": [1, 2, 3],
            "region_code": ["331002", "331002", "331082"],
            "a": [1.0, 2.0, None],
        }
    )
    county = region_facts(enterprise, "county", ["a"])
    assert county.to_dicts() == [
        {"entity_id": "331002", "peer_group": "331000", "a": 3.0},
        {"entity_id": "331082", "peer_group": "331000", "a": None},
    ]
    city = region_facts(enterprise, "city", ["a"])
    assert city.to_dicts() == [{"entity_id": "331000", "peer_group": "330000", "a": 3.0}]
