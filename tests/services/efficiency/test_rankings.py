"""Rankings by K computed on read, on SQLite and PostgreSQL, against the hand-worked case.

In ``conftest.py`` next to this file: A, B and C of class C3411 in county 331002 have K =
0.4375, 0.875 and 3.5, so they rank 1, 2, 3 in the industry and in the county. D and E are not
rated: they were compared with no benchmark, so the industry's ranking leaves them out, and
the county's lists them last, without a rank.
"""

from __future__ import annotations

import pytest

from citycarbon.services.efficiency_rankings import (
    MSG_NO_COUNTY,
    MSG_NO_INDUSTRY,
    MSG_NOT_RATED,
    MSG_ONE_GROUP,
    GroupRank,
    RankingUnavailable,
    organisation_ranks,
    ranking,
)
from citycarbon.services.rating import rate, read_grades
from citycarbon.store.db import unit_of_work

from .conftest import A, B, C, D, E, options


def test_industry_and_county_rankings_of_the_hand_worked_case(city: str) -> None:
    rate(city, "2024", options())
    industry = ranking(city, "2024", industry="C3411")
    assert (industry.period, industry.scheme, industry.dimension, industry.code) == (
        "2024",
        "huzhou",
        "industry",
        "C3411",
    )
    assert [(r.uscc, r.rank) for r in industry.rows] == [(A, 1), (B, 2), (C, 3)]
    assert [r.k_industry for r in industry.rows] == pytest.approx([0.4375, 0.875, 3.5])
    assert [r.grade for r in industry.rows] == [1, 3, 5]
    assert industry.ranked_count == 3
    county = ranking(city, "2024", county="331002", scheme="huzhou")
    assert [(r.uscc, r.rank) for r in county.rows] == [(A, 1), (B, 2), (C, 3), (D, None), (E, None)]
    assert (county.dimension, county.ranked_count) == ("county", 3)
    assert county.rows[3].name == "台州丁机械有限公司" and county.rows[3].region_code == "331002"
    # The code as a user may type it: digits only, normalised like the register does.
    assert ranking(city, "2024", industry="3411").code == "C3411"


def test_county_code_is_stored_with_each_grade(city: str) -> None:
    rate(city, "2024", options())
    grades = read_grades(city, "2024", "huzhou")
    assert set(grades["county_code"].to_list()) == {"331002"}
    assert "rank_in_industry" not in grades.columns and "rank_in_region" not in grades.columns


def test_organisation_ranks_in_its_industry_and_county(city: str) -> None:
    rate(city, "2024", options())
    ids = dict(read_grades(city, "2024", "huzhou").select("uscc", "organisation_id").iter_rows())
    with unit_of_work(city) as session:
        found = organisation_ranks(session, ids[B], "2024", "huzhou")
        assert found is not None
        assert found.industry == GroupRank("C3411", 2, 3, "锅炉及辅助设备制造")
        assert found.county == GroupRank("331002", 2, 3, "椒江区")
        assert organisation_ranks(session, ids[D], "2024", "huzhou") is None  # not rated
        assert organisation_ranks(session, ids[A], "2023", "huzhou") is None  # no rating
        assert organisation_ranks(session, ids[A], "2024", "quzhou") is None


def test_ranks_follow_the_current_run(city: str) -> None:
    rate(city, "2024", options())
    rate(city, "2024", options())  # supersedes the first run, whose rows stay as history
    assert [r.rank for r in ranking(city, "2024", county="331002").rows] == [1, 2, 3, None, None]


def test_errors_name_what_is_wrong(city: str) -> None:
    rate(city, "2024", options())
    cases: list[tuple[str, dict[str, str], str]] = [
        ("2024", {}, MSG_ONE_GROUP),
        ("2024", {"industry": "C3411", "county": "331002"}, MSG_ONE_GROUP),
        ("2023", {"industry": "C3411"}, MSG_NOT_RATED),
        ("2024", {"county": "331002", "scheme": "quzhou"}, MSG_NOT_RATED),
        ("2024", {"industry": "C3412"}, MSG_NO_INDUSTRY),
        ("2024", {"county": "331003"}, MSG_NO_COUNTY),
    ]
    for period, arguments, message in cases:
        assert _error(city, period, **arguments).message == message, arguments
    assert str(_error(city, "2023", industry="C3411")) == "2023 has not been rated with scheme huzhou"


def _error(url: str, period: str, **arguments: str) -> RankingUnavailable:
    with pytest.raises(RankingUnavailable) as raised:
        ranking(url, period, **arguments)
    return raised.value
