"""Benefit split: largest-remainder rounding never creates or loses a fen."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from citycarbon.domain.sinks.benefit import FUND_PARTY, split_largest_remainder, split_proceeds
from citycarbon.domain.sinks.project import Participant

HOUSEHOLDS = [("王", 1300), ("李", 900), ("张", 820), ("陈", 760), ("刘", 705), ("杨", 610), ("赵", 450)]


def test_mussel_proceeds_to_seven_households() -> None:
    # CNY 100,500 = 10,050,000 fen; 60 % = 6,030,000 fen to households pro rata 5,545 t of harvest.
    # 王: 6,030,000 × 1300/5545 = 1,413,706.04 → 1,413,706; 李: × 900/5545 = 978,719.57 → 978,720 (+1)
    # 张: 891,721.91 → 891,722 (+1); 陈: 826,474.30 → 826,474; 刘: 766,663.66 → 766,664 (+1)
    # 杨: 663,354.37 → 663,354; 赵: 489,359.78 → 489,360 (+1). Floors sum to 6,029,996 (+4 fen
    # by largest remainder) and the fund takes 40 % = 4,020,000 exactly.
    people = [Participant(participant_name=n, share_weight=w) for n, w in HOUSEHOLDS]
    split = {a.party_name: a.amount_fen for a in split_proceeds(10_050_000, Fraction(60), people)}
    assert split == {
        "王": 1_413_706,
        "李": 978_720,
        "张": 891_722,
        "陈": 826_474,
        "刘": 766_664,
        "杨": 663_354,
        "赵": 489_360,
        FUND_PARTY: 4_020_000,
    }
    assert sum(split.values()) == 10_050_000


def test_three_equal_parties_share_a_remainder() -> None:
    assert split_largest_remainder(100, dict.fromkeys("abc", Fraction(1))) == {"a": 34, "b": 33, "c": 33}


@given(
    st.integers(0, 10**12),
    st.integers(0, 100),
    st.lists(st.floats(0.001, 1e6, allow_nan=False), min_size=1, max_size=40),
)
def test_split_always_sums_to_the_total(total: int, percent: int, weights: list[float]) -> None:
    people = [Participant(participant_name=f"h{i}", share_weight=w) for i, w in enumerate(weights)]
    allocations = split_proceeds(total, Fraction(percent), people)
    assert sum(a.amount_fen for a in allocations) == total
    assert all(a.amount_fen >= 0 for a in allocations)
