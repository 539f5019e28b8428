"""Indicator definitions: formulas, AHP worked examples, and every malformed-definition case."""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest

from citycarbon.domain.indicators.definition import Aggregate, IndicatorDefinitionInvalid, build_tree
from citycarbon.domain.indicators.expressions import FormulaError, parse_formula
from citycarbon.domain.indicators.weights import ahp_weights

FIELDS = {"emissions_tco2e", "value_added_10k_cny", "so2_t", "nox_t", "area_mu"}
RI = {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12}


def leaf(
    node_id: str, parent: str, formula: str = "emissions_tco2e / value_added_10k_cny", **extra: Any
) -> dict[str, Any]:
    return {
        "id": node_id,
        "parent": parent,
        "name_zh": node_id,
        "name_en": node_id,
        "formula": formula,
        "unit": "tCO2e/(10^4 CNY)",
        "direction": "lower_is_better",
        "normalisation": "min_max",
        "missing": "exclude",
        **extra,
    }


def definition() -> dict[str, Any]:
    return {
        "code": "demo",
        "version": "1",
        "name_zh": "示例",
        "name_en": "Example",
        "nodes": [
            {"id": "root", "name_zh": "指数", "name_en": "Index", "weighting": "expert"},
            {"id": "D1", "parent": "root", "name_zh": "维度1", "name_en": "D1", "weight": 0.6},
            {"id": "D2", "parent": "root", "name_zh": "维度2", "name_en": "D2", "weight": 0.4},
            leaf("L1", "D1"),
            leaf("L2", "D1", "(so2_t + nox_t) / value_added_10k_cny"),
            leaf("L3", "D2", "value_added_10k_cny / area_mu", direction="higher_is_better"),
        ],
    }


def problems_of(raw: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(IndicatorDefinitionInvalid) as caught:
        build_tree(raw, fields=FIELDS, random_index=RI)
    return [(p.column, p.render()) for p in caught.value.problems]


def test_a_valid_definition_builds_a_tree() -> None:
    tree = build_tree(definition(), fields=FIELDS, random_index=RI)
    assert tree.count_by_depth() == {0: 1, 1: 2, 2: 3}
    root = tree.nodes["root"]
    assert isinstance(root, Aggregate) and root.weights == (0.6, 0.4)
    assert [n.id for n in tree.bottom_up()][-1] == "root"


# --- formulas ---------------------------------------------------------------------------------


def test_formula_fields_and_tree() -> None:
    formula = parse_formula("(so2_t + nox_t) / value_added_10k_cny * 1000")
    assert formula.fields == {"so2_t", "nox_t", "value_added_10k_cny"}


@pytest.mark.parametrize(
    ("text", "construct"),
    [
        ("__import__('os')", "Call"),
        ("a.b", "Attribute"),
        ("a ** 2", "Pow"),
        ("a > b", "Compare"),
        ("a[0]", "Subscript"),
        ("'text'", "Constant"),
        ("a % b", "Mod"),
        ("lambda: 1", "Lambda"),
    ],
)
def test_formula_rejects_anything_outside_the_whitelist(text: str, construct: str) -> None:
    with pytest.raises(FormulaError) as caught:
        parse_formula(text)
    assert construct in caught.value.render()


def test_formula_syntax_error_is_reported() -> None:
    with pytest.raises(FormulaError, match="not valid"):
        parse_formula("a + ")


# --- AHP worked examples -------------------------------------------------------------------------


def test_ahp_of_a_consistent_matrix_is_the_ratio_vector() -> None:
    # a_ij = w_i / w_j with w = (4, 2, 1)/7: λmax = n = 3, CI = CR = 0.
    result = ahp_weights([[1, 2, 4], [1 / 2, 1, 2], [1 / 4, 1 / 2, 1]], RI)
    assert result.weights == pytest.approx((4 / 7, 2 / 7, 1 / 7), abs=1e-12)
    assert result.lambda_max == pytest.approx(3.0, abs=1e-12)
    assert result.consistency_ratio == pytest.approx(0.0, abs=1e-12)


def test_ahp_of_saatys_3x3_example_by_hand() -> None:
    # For a 3×3 reciprocal matrix with a12 = a, a13 = b, a23 = c the principal eigenvector is the
    # normalised row geometric means and λmax = 1 + (b/(ac))^(1/3) + (ac/b)^(1/3).
    a, b, c = 3.0, 5.0, 3.0
    matrix = [[1, a, b], [1 / a, 1, c], [1 / b, 1 / c, 1]]
    rows = [(a * b) ** (1 / 3), (c / a) ** (1 / 3), (1 / (b * c)) ** (1 / 3)]
    expected = [r / sum(rows) for r in rows]  # 0.6370, 0.2583, 0.1047
    lambda_max = 1 + (b / (a * c)) ** (1 / 3) + (a * c / b) ** (1 / 3)  # 3.0385
    ci = (lambda_max - 3) / 2  # 0.0193
    result = ahp_weights(matrix, RI)
    assert result.weights == pytest.approx(expected, abs=1e-9)
    assert result.lambda_max == pytest.approx(lambda_max, abs=1e-9)
    assert result.consistency_index == pytest.approx(ci, abs=1e-9)
    assert result.consistency_ratio == pytest.approx(ci / 0.58, abs=1e-9)
    assert math.isclose(expected[0], 0.6370, abs_tol=1e-4)
    assert math.isclose(ci / 0.58, 0.0332, abs_tol=1e-4)


def with_ahp(matrix: list[list[Any]], order: list[str] | None = None) -> dict[str, Any]:
    raw = definition()
    raw["nodes"][0] = {
        "id": "root",
        "name_zh": "指数",
        "name_en": "Index",
        "weighting": "ahp",
        "ahp": {"order": order or ["D1", "D2"], "matrix": matrix},
    }
    return raw


def test_ahp_weights_reach_the_tree_in_child_order() -> None:
    tree = build_tree(with_ahp([[1, "1/3"], [3, 1]], order=["D2", "D1"]), fields=FIELDS, random_index=RI)
    root = tree.nodes["root"]
    assert isinstance(root, Aggregate)
    assert root.weights == pytest.approx((0.75, 0.25))  # D1, D2: D2 is a third as important as D1


# --- malformed definitions ------------------------------------------------------------------------


def test_cycle_is_rejected_with_its_path() -> None:
    raw = definition()
    raw["nodes"].append({"id": "X", "parent": "Y", "name_zh": "x", "name_en": "x"})
    raw["nodes"].append({"id": "Y", "parent": "X", "name_zh": "y", "name_en": "y"})
    found = problems_of(raw)
    assert any("cycle" in text and "X → Y → X" in text for _, text in found), found


def test_unknown_data_field_is_rejected_at_its_node() -> None:
    raw = definition()
    raw["nodes"][3] = leaf("L1", "D1", "emissions_tco2e / gdp_cny")
    assert problems_of(raw) == [("nodes[3] L1.formula", "Indicator 'L1' uses unknown data field 'gdp_cny'")]


def test_expert_weights_that_do_not_sum_to_one() -> None:
    raw = definition()
    raw["nodes"][2]["weight"] = 0.3
    assert problems_of(raw) == [
        ("nodes[0] root.weighting", "Expert weights of the children of 'root' sum to 0.9, not 1")
    ]


def test_inconsistent_ahp_matrix_is_rejected_with_its_ratio() -> None:
    raw = definition()
    raw["nodes"][0] = {"id": "root", "name_zh": "r", "name_en": "r", "weighting": "expert"}
    raw["nodes"][1] |= {
        "weighting": "ahp",
        "ahp": {"order": ["L1", "L2", "X"], "matrix": [[1, 9, "1/9"], ["1/9", 1, 9], [9, "1/9", 1]]},
    }
    raw["nodes"].append(leaf("X", "D1"))
    found = problems_of(raw)
    assert len(found) == 1
    where, text = found[0]
    assert where == "nodes[1] D1.ahp"
    assert "inconsistent" in text and "must be below 0.1" in text


@pytest.mark.parametrize(
    ("matrix", "fragment"),
    [
        ([[1, 2, 3], [0.5, 1]], "not square"),
        ([[1, 2], [2, 1]], "not reciprocal"),
        ([[2, 2], [0.5, 1]], "diagonal"),
        ([[1, -1], [-1, 1]], "not a positive number"),
    ],
)
def test_malformed_ahp_matrix(matrix: list[list[Any]], fragment: str) -> None:
    found = problems_of(with_ahp(matrix))
    assert found[0][0] == "nodes[0] root.ahp"
    assert fragment in found[0][1]


def test_ahp_order_must_match_children() -> None:
    found = problems_of(with_ahp([[1, 1], [1, 1]], order=["D1", "D3"]))
    assert "must list each child exactly once" in found[0][1]


def test_duplicate_ids_are_rejected() -> None:
    raw = definition()
    raw["nodes"].append(copy.deepcopy(raw["nodes"][3]))
    assert problems_of(raw) == [("nodes[6] L1.id", "Node id 'L1' is used more than once (first at nodes[3])")]


def test_unknown_parent_and_two_roots() -> None:
    raw = definition()
    raw["nodes"].append(leaf("L9", "nowhere"))
    raw["nodes"].append({"id": "root2", "name_zh": "r", "name_en": "r"})
    texts = [text for _, text in problems_of(raw)]
    assert "Node 'L9' names parent 'nowhere', which is not defined" in texts
    assert any("exactly one node without a parent" in t and "root, root2" in t for t in texts)


def test_schema_errors_name_the_node_and_attribute() -> None:
    raw = definition()
    raw["nodes"][3]["direction"] = "sideways"
    found = problems_of(raw)
    assert found[0][0] == "nodes[3] L1.direction"


def test_distance_to_target_needs_a_target_and_z_score_refuses_geometric() -> None:
    raw = definition()
    raw["nodes"][3]["normalisation"] = "distance_to_target"
    raw["nodes"][4]["normalisation"] = "z_score"
    raw["nodes"][1]["aggregation"] = "geometric"
    texts = [text for _, text in problems_of(raw)]
    assert "Indicator 'L1' is normalised by distance to target and needs a non-zero target" in texts
    assert any("geometric" in t and "'L2'" in t for t in texts)


def test_every_problem_is_reported_at_once() -> None:
    raw = definition()
    raw["nodes"][2]["weight"] = 0.3
    raw["nodes"][3] = leaf("L1", "D1", "emissions_tco2e / gdp_cny")
    raw["nodes"][5] = leaf("L3", "D2", "open('x')")
    assert len(problems_of(raw)) == 3
