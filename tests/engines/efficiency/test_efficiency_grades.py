"""K bands, absolute levels, Quzhou colours (worst of three dimensions) and rankings."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from citycarbon.domain.efficiency.settings import BenchmarkSettings


@pytest.mark.parametrize(
    ("k", "grade"),
    [(0.3, 1), (0.6, 1), (0.61, 2), (0.8, 2), (0.81, 3), (1.2, 3), (1.21, 4), (2.0, 4), (2.01, 5), (7.0, 5)],
)
def test_k_bands_of_the_huzhou_scheme(kit: SimpleNamespace, k: float, grade: int) -> None:
    # Three firms at L = 1 and one at L = k: the median benchmark is 1, so K = k exactly.
    rows = kit.firms(
        {"emissions_tco2e": 1.0 * 100, "value_added_10k_cny": 100.0},
        {"emissions_tco2e": 1.0 * 100, "value_added_10k_cny": 100.0},
        {"emissions_tco2e": 1.0 * 100, "value_added_10k_cny": 100.0},
        {"emissions_tco2e": k * 100, "value_added_10k_cny": 100.0},
    )
    graded = kit.by_id(kit.rate(rows, settings=BenchmarkSettings(min_peers=3, method="median")).grades)
    assert graded[4]["k_industry"] == pytest.approx(k)  # median of 1, 1, 1, k is 1
    assert graded[4]["grade"] == grade
    assert graded[4]["grade_code"] == str(grade)


@pytest.mark.parametrize(
    ("intensity", "level"), [(0.6, "low"), (0.61, "medium"), (2.0, "medium"), (2.5, "high")]
)
def test_absolute_level_at_0_6_and_2_0(kit: SimpleNamespace, intensity: float, level: str) -> None:
    frame = kit.firms(*[{"emissions_tco2e": intensity * 100, "value_added_10k_cny": 100.0}] * 3)
    assert kit.by_id(kit.rate(frame).grades)[1]["level_code"] == level


def test_hand_worked_three_firm_case(kit: SimpleNamespace) -> None:
    # E = 100, 300, 600 t; VA = 200, 300, 300 → L = 0.5, 1.0, 2.0; benchmark 1000/800 = 1.25.
    # K = 0.4, 0.8, 1.6 → grades 1, 2, 4; levels low, medium, medium.
    frame = kit.firms(
        {"emissions_tco2e": 100.0, "value_added_10k_cny": 200.0},
        {"emissions_tco2e": 300.0, "value_added_10k_cny": 300.0},
        {"emissions_tco2e": 600.0, "value_added_10k_cny": 300.0},
    )
    rows = kit.by_id(kit.rate(frame).grades)
    assert [rows[i]["k_industry"] for i in (1, 2, 3)] == pytest.approx([0.4, 0.8, 1.6])
    assert [rows[i]["grade"] for i in (1, 2, 3)] == [1, 2, 4]
    assert [rows[i]["level_code"] for i in (1, 2, 3)] == ["low", "medium", "medium"]
    assert [rows[i]["colour"] for i in (1, 2, 3)] == ["dark_green", "light_green", "orange"]


def test_quzhou_colour_is_the_worst_dimension(kit: SimpleNamespace) -> None:
    # 2024 as in the hand-worked case; firm 1 had L = 0.4 in 2023, so its intensity rose by
    # 0.5 / 0.4 = 1.25 > 1.05: red on historical decline although dark green on K (0.4).
    frame = kit.firms(
        {"emissions_tco2e": 100.0, "value_added_10k_cny": 200.0},
        {"emissions_tco2e": 300.0, "value_added_10k_cny": 300.0},
        {"emissions_tco2e": 600.0, "value_added_10k_cny": 300.0},
        {"organisation_id": 1, "period": "2023", "emissions_tco2e": 80.0, "value_added_10k_cny": 200.0},
    )
    rows = kit.by_id(kit.rate(frame, scheme="quzhou").grades)
    assert rows[1]["intensity_change"] == pytest.approx(0.5 / 0.4)
    assert rows[1]["grade_code"] == "red" and rows[1]["grade"] == 4
    # Firm 2: K = 0.8 (dark green), k_region = 1.0 / 1.25 = 0.8 (dark green), no 2023 data.
    assert rows[2]["k_region"] == pytest.approx(0.8)
    assert rows[2]["intensity_change"] is None
    assert rows[2]["grade_code"] == "dark_green"
    # Firm 3: K = 1.6 → yellow.
    assert rows[3]["grade_code"] == "yellow"
    assert rows[3]["level_code"] is None
