"""Scoped reads of the rating results, on SQLite and PostgreSQL, against the hand-worked case.

In ``conftest.py`` next to this file: A, B, C of C3411 in 331002 rank 1, 2, 3 (K 0.4375, 0.875,
3.5); D and E are not rated; E alone is on the ``low_output_per_mu`` watch-list.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from citycarbon.domain.access.policy import Forbidden
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.refdata.grading import MSG_UNKNOWN_SCHEME
from citycarbon.services import efficiency_queries as queries
from citycarbon.services.caller import Caller
from citycarbon.services.efficiency_rankings import RankingUnavailable
from citycarbon.services.platform_errors import NotFound
from citycarbon.services.rating import rate, read_grades
from citycarbon.services.scope import list_scope
from citycarbon.store.db import unit_of_work
from citycarbon.store.platform_tables import AuditEvent

from .conftest import A, B, C, D, E, options


def caller(*roles: Role, organisation_id: int | None = None, regions: tuple[str, ...] = ()) -> Caller:
    principal = Principal(
        user_id=7,
        username="reader",
        organisation_id=organisation_id,
        roles=frozenset(roles),
        region_codes=frozenset(regions),
    )
    return Caller(principal, "127.0.0.1")


ADMIN = caller(Role.ADMIN)
ANALYST = caller(Role.ANALYST, regions=("331002",))


@pytest.fixture
def rated(city: str) -> dict[str, int]:
    """The city rated for 2024 (Huzhou); organisation ids by credit code."""
    rate(city, "2024", options())
    return dict(read_grades(city, "2024").select("uscc", "organisation_id").iter_rows())


def events(url: str) -> list[tuple[str, str, int | None, str | None]]:
    with unit_of_work(url) as session:
        rows = session.execute(
            select(
                AuditEvent.actor_username,
                AuditEvent.resource,
                AuditEvent.subject_organisation_id,
                AuditEvent.detail,
            )
            .where(AuditEvent.action == "read")
            .order_by(AuditEvent.id)
        ).all()
    return [(str(a), str(r), s, d) for a, r, s, d in rows]


def test_list_scope_matches_each_role() -> None:
    assert list_scope(ADMIN).covers(99, "110101")
    own = list_scope(caller(Role.ENTERPRISE, organisation_id=3))
    assert own.covers(3, "110101") and not own.covers(4, "331002")
    prefecture = list_scope(caller(Role.ANALYST, regions=("331000",)))
    assert prefecture.covers(1, "331002") and prefecture.covers(1, "331000")
    assert not prefecture.covers(1, "330000") and not prefecture.covers(1, None)
    assert not list_scope(caller(Role.PUBLIC)).covers(1, "331002")
    assert not list_scope(caller(Role.ENTERPRISE, regions=("331002",))).covers(1, "331002")


def test_scheme_defaults_to_the_shipped_one_and_unknown_ones_are_input_errors() -> None:
    assert queries.scheme_code(None) == "huzhou"
    assert queries.scheme_code("quzhou") == "quzhou"
    with pytest.raises(queries.InvalidQuery) as raised:
        queries.scheme_code("hangzhou")
    assert raised.value.message == MSG_UNKNOWN_SCHEME


def test_rated_periods_list_current_runs(city: str) -> None:
    assert queries.rated_periods(city) == []
    rate(city, "2024", options())
    rate(city, "2024", options("quzhou"))
    rate(city, "2024", options())  # supersedes the first Huzhou run
    found = [(p.period, p.scheme, p.organisation_count, p.rated_count) for p in queries.rated_periods(city)]
    assert found == [("2024", "huzhou", 5, 3), ("2024", "quzhou", 5, 3)]
    assert all(
        p.finished_at is not None and p.finished_at.tzinfo is not None for p in queries.rated_periods(city)
    )


def test_organisation_rating_audits_outside_reads_only(city: str, rated: dict[str, int]) -> None:
    own = queries.organisation_rating(city, caller(Role.ENTERPRISE, organisation_id=rated[B]), rated[B])
    assert (own.row.grade, own.row.k_industry) == (3, pytest.approx(0.875))
    assert own.industry_rank is not None and (own.industry_rank.rank, own.industry_rank.count) == (2, 3)
    assert events(city) == []
    queries.organisation_rating(city, ANALYST, rated[B], "2024", "huzhou")
    assert events(city) == [("reader", "efficiency_grade", rated[B], None)]
    with pytest.raises(Forbidden):
        queries.organisation_rating(city, caller(Role.ANALYST, regions=("331082",)), rated[B])
    not_rated = queries.organisation_rating(city, ADMIN, rated[E], locale="zh-CN")
    assert (not_rated.row.not_rated_reason, not_rated.not_rated_text) == (
        "output_not_positive",
        "工业总产值为零或负数",
    )
    assert not_rated.industry_rank is None and not_rated.county_rank is None


def test_rankings_show_rows_in_scope_with_the_groups_ranks(city: str, rated: dict[str, int]) -> None:
    own = queries.ranking(city, caller(Role.ENTERPRISE, organisation_id=rated[C]), county="331002")
    assert [(row.uscc, row.rank) for row in own.items] == [(C, 3)]
    assert (own.ranked_count, own.name, own.next_offset) == (3, "椒江区", None)
    assert events(city) == []
    page = queries.ranking(city, ANALYST, county="331002", limit=2)
    assert [(row.uscc, row.rank) for row in page.items] == [(A, 1), (B, 2)]
    assert page.next_offset == 2
    last = queries.ranking(city, ANALYST, county="331002", limit=2, offset=4)
    assert [(row.uscc, row.rank) for row in last.items] == [(E, None)] and last.next_offset is None
    assert queries.ranking(city, ANALYST, county="331002", offset=9).items == []
    assert [e[3] for e in events(city)] == [
        "county 331002, 2024, huzhou; rows of other organisations shown: 2",
        "county 331002, 2024, huzhou; rows of other organisations shown: 1",
    ]
    assert [e[:3] for e in events(city)] == [("reader", "efficiency_ranking", None)] * 2


def test_ranking_errors_are_input_errors_or_not_found(city: str, rated: dict[str, int]) -> None:
    with pytest.raises(RankingUnavailable):
        queries.ranking(city, ADMIN)
    with pytest.raises(RankingUnavailable):
        queries.ranking(city, ADMIN, industry="C3411", county="331002")
    for arguments in ({"industry": "C3412"}, {"county": "331003"}, {"industry": "C3411", "period": "2023"}):
        with pytest.raises(NotFound):
            queries.ranking(city, ADMIN, **arguments)
    with pytest.raises(Forbidden):
        queries.ranking(city, caller(Role.ENTERPRISE, organisation_id=rated[D]), industry="C3411")


def test_watchlist_is_filtered_in_the_query(city: str, rated: dict[str, int]) -> None:
    assert [e.uscc for e in queries.watchlist(city, ADMIN, period="2024").items] == [E]
    assert queries.watchlist(city, caller(Role.ENTERPRISE, organisation_id=rated[A])).items == []
    assert [
        e.uscc for e in queries.watchlist(city, caller(Role.ENTERPRISE, organisation_id=rated[E])).items
    ] == [E]
    assert queries.watchlist(city, caller(Role.ANALYST, regions=("331082",))).items == []
    assert [e[1:] for e in events(city)] == [
        ("efficiency_watchlist", None, "2024, huzhou; rows of other organisations shown: 1")
    ]


def test_rollup_scope(city: str, rated: dict[str, int]) -> None:
    assert [r.code for r in queries.rollups(city, ANALYST).items] == ["331002"]
    assert queries.rollups(city, ANALYST, level="prefecture").items == []
    province = caller(Role.ANALYST, regions=("330000",))
    industry = queries.rollups(city, province, dimension="industry")
    assert (industry.level, [(r.code, r.name) for r in industry.items]) == (
        "class",
        [("C3411", "锅炉及辅助设备制造")],
    )
    with pytest.raises(Forbidden):
        queries.rollups(city, ANALYST, dimension="industry")
    with pytest.raises(Forbidden):
        queries.rollups(city, caller(Role.ENTERPRISE, organisation_id=rated[A]))
    with pytest.raises(queries.InvalidQuery):
        queries.rollups(city, ADMIN, dimension="industry", level="county")
    sections = queries.rollups(city, ADMIN, dimension="industry", level="section")
    assert [(r.code, r.organisation_count, r.rated_count) for r in sections.items] == [("C", 5, 3)]
    assert events(city) == []  # aggregates: no organisation's rows
