"""Watch-list rules (energy and grade; per-mu percentile) and movement year on year."""

from __future__ import annotations

from types import SimpleNamespace

import polars as pl
import pytest

from citycarbon.domain.efficiency.settings import WatchRule
from citycarbon.engines.efficiency.watchlists import MAX_RULES

HIGH = WatchRule(rule_code="high", name_zh="高耗低效", name_en="high", min_energy_tce=1000, grades=(4, 5))
LAND = WatchRule(
    rule_code="land",
    name_zh="亩均低",
    name_en="land",
    max_output_per_mu_percentile=25,
    percentile_scope="county",
)


def three(period: str, energy_of_third: float) -> list[dict[str, object]]:
    # K = 0.4, 0.8, 1.6 (grades 1, 2, 4), as in the hand-worked grading case.
    return [
        {"period": period, "emissions_tco2e": 100.0, "value_added_10k_cny": 200.0, "energy_tce": 5000.0},
        {"period": period, "emissions_tco2e": 300.0, "value_added_10k_cny": 300.0, "energy_tce": 5000.0},
        {
            "period": period,
            "emissions_tco2e": 600.0,
            "value_added_10k_cny": 300.0,
            "energy_tce": energy_of_third,
        },
    ]


def test_energy_and_grade_rule_lists_only_when_both_hold(kit: SimpleNamespace) -> None:
    entries = kit.rate(kit.firms(*three("2024", 1000.0)), rules=(HIGH,)).watchlist
    assert entries["organisation_id"].to_list() == [3]  # grade 4 and 1000 tce ≥ 1000
    assert entries["grade"][0] == 4 and entries["movement"][0] is None  # no 2023 data: unknown
    below = kit.rate(kit.firms(*three("2024", 999.0)), rules=(HIGH,)).watchlist
    assert below.is_empty()


def test_per_mu_percentile_within_county(kit: SimpleNamespace) -> None:
    # Output per mu in county 331002: 10, 20, 30, 40, 50; 25th percentile (linear) = 20.
    # The firm in 331003 is alone in its county, so it sits at its own percentile and is listed.
    rows = [{"output_value_10k_cny": 100.0 * i, "area_mu": 10.0} for i in range(1, 6)]
    rows.append({"output_value_10k_cny": 1000.0, "area_mu": 1.0, "region_code": "331003"})
    entries = kit.rate(kit.firms(*rows), rules=(LAND,)).watchlist.sort("organisation_id")
    assert entries["organisation_id"].to_list() == [1, 2, 6]
    assert entries["output_per_mu_threshold_10k_cny"].to_list() == pytest.approx([20.0, 20.0, 1000.0])


def test_movement_entered_stayed_left(kit: SimpleNamespace) -> None:
    earlier = three("2023", 5000.0)  # firm 3 listed in 2023
    # In 2024 firm 3 drops to 100 tce (leaves); firm 2 emits 800 t: benchmark (100 + 800 + 600)
    # / 800 = 1.875, its K = (800 / 300) / 1.875 = 1.42 → grade 4 with 5000 tce (enters).
    later = three("2024", 100.0)
    later[1] = {**later[1], "emissions_tco2e": 800.0}
    frame = kit.firms(*earlier, *later).with_columns(pl.Series("organisation_id", [1, 2, 3, 1, 2, 3]))
    entries = kit.rate(frame, rules=(HIGH,)).watchlist.filter(period="2024")
    movement = dict(entries.select("organisation_id", "movement").iter_rows())
    assert movement == {2: "entered", 3: "left"}
    stayed = kit.firms(*earlier, *three("2024", 5000.0)).with_columns(
        pl.Series("organisation_id", [1, 2, 3] * 2)
    )
    again = kit.rate(stayed, rules=(HIGH,)).watchlist.filter(period="2024")
    assert again.select("organisation_id", "movement").rows() == [(3, "stayed")]


def test_many_rules_each_list_their_own_firms(kit: SimpleNamespace) -> None:
    # Rule i lists firms with energy ≥ 10·i tce; firm energies 0, 10, …, 620 (63 firms, one
    # per rule). Rule i therefore lists the 63 − i firms from firm i + 1 on: 2,016 entries.
    rules = tuple(
        WatchRule(rule_code=f"r{i:02d}", name_zh="规则", name_en="rule", min_energy_tce=10.0 * i)
        for i in range(MAX_RULES)
    )
    frame = kit.firms(*({"energy_tce": 10.0 * n} for n in range(MAX_RULES)))
    entries = kit.rate(frame, rules=rules).watchlist
    assert entries.height == sum(MAX_RULES - i for i in range(MAX_RULES))
    counts = dict(entries.group_by("rule_code").len().iter_rows())
    assert counts["r00"] == MAX_RULES and counts["r62"] == 1
    assert entries.filter(rule_code="r62")["organisation_id"].to_list() == [MAX_RULES]


def test_more_rules_than_bits_is_refused(kit: SimpleNamespace) -> None:
    rules = tuple(
        WatchRule(rule_code=f"r{i:02d}", name_zh="规则", name_en="rule", min_energy_tce=1.0)
        for i in range(MAX_RULES + 1)
    )
    with pytest.raises(ValueError, match="at most 63"):
        kit.rate(kit.firms({}), rules=rules)
