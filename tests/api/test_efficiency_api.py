"""Carbon-efficiency endpoints on the hand-worked city, by role and scope, on SQLite and PostgreSQL.

The city of ``tests/services/efficiency/conftest.py``: A, B and C of class C3411 in county
331002 (椒江区) have L = f, 2f, 8f with f = 0.5306 tCO2/MWh; the benchmark is f × 4000 MWh ÷
1750 × 10⁴ CNY = 1.2128 tCO2e/10⁴ CNY, so K = 0.4375, 0.875, 3.5, grades 1, 3, 5 and ranks 1, 2,
3. D (no value added) and E (output 0) are not rated; E's output per mu, 0, is at or below the
county's 10th percentile of (0, 20, 80, 100, 100) = 0.4 × 20 = 8, so E is on the
``low_output_per_mu`` watch-list. F is an individual business: not rated at all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.organisation_directory import create_organisation
from citycarbon.services.rating import rate
from citycarbon.services.user_admin import RoleGrant, add_user, issue_token
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

from ..services.efficiency.conftest import A, B, C, D, E, F, load_city, options, uscc
from .conftest import PASSWORD, platform_settings

API = "/api/v1/efficiency"
PROBLEM = "application/problem+json"
#: A firm of the same class in 黄岩区 331003, added by ``test_analyst_sees_…`` only.
G = uscc("91331003MA2RATE77")


@dataclass
class RatedCity:
    """The rated city, its organisation ids by credit code, and a token per user."""

    url: str
    client: TestClient
    ids: dict[str, int]
    tokens: dict[str, str] = field(default_factory=dict)

    def headers(self, who: str | None, lang: str = "en") -> dict[str, str]:
        found = {"Accept-Language": lang}
        if who is not None:
            found["Authorization"] = f"Bearer {self.tokens[who]}"
        return found

    def get(self, path: str, who: str | None, lang: str = "en", **params: str | int) -> Any:
        return self.client.get(API + path, params=params, headers=self.headers(who, lang))


def _add_users(url: str, ids: dict[str, int], bank_id: int) -> dict[str, str]:
    people: dict[str, tuple[int | None, list[RoleGrant]]] = {
        "admin": (None, [RoleGrant(Role.ADMIN)]),
        "enterprise_a": (ids[A], [RoleGrant(Role.ENTERPRISE)]),
        "enterprise_e": (ids[E], [RoleGrant(Role.ENTERPRISE)]),
        "analyst": (None, [RoleGrant(Role.ANALYST, region_code="331002")]),  # 椒江区
        "analyst_far": (None, [RoleGrant(Role.ANALYST, region_code="331082")]),  # 临海市
        "analyst_city": (None, [RoleGrant(Role.ANALYST, region_code="331000")]),  # 台州市
        "analyst_province": (None, [RoleGrant(Role.ANALYST, region_code="330000")]),  # 浙江省
        "bank": (bank_id, [RoleGrant(Role.BANK)]),
        "public": (None, [RoleGrant(Role.PUBLIC)]),
    }
    tokens = {}
    with unit_of_work(url) as session:
        for name, (org, roles) in people.items():
            user = add_user(
                session, username=name, password=PASSWORD, display_name=name, organisation_id=org, roles=roles
            )
            tokens[name] = issue_token(session, user.id, "test", 30).secret
    return tokens


@pytest.fixture
def city(db_url: str, tmp_path: Path) -> Iterator[RatedCity]:
    load_city(db_url, tmp_path)
    admin = Caller(Principal(user_id=None, username="fixture", roles=frozenset({Role.ADMIN})))
    bank = create_organisation(
        db_url,
        admin,
        uscc="91331000MA2BANK01P",
        name="台州示例银行",
        kind="bank",
        industry_code="J66",
        region_code="331000",
        area_mu=None,
    )
    with unit_of_work(db_url) as session:
        ids = {code: int(i) for code, i in session.execute(select(Organisation.uscc, Organisation.id)).all()}
    tokens = _add_users(db_url, ids, bank.organisation_id)
    client = TestClient(create_app(db_url, platform_settings()))
    yield RatedCity(db_url, client, ids, tokens)
    client.close()


@pytest.fixture
def rated(city: RatedCity) -> RatedCity:
    rate(city.url, "2024", options())
    return city


def _audit(city: RatedCity) -> list[tuple[str, str, int | None]]:
    events = city.client.get("/api/v1/audit-events", headers=city.headers("admin")).json()["items"]
    return [
        (e["actor_username"], e["resource"], e["subject_organisation_id"])
        for e in events
        if e["action"] == "read"
    ]


def test_openapi_lists_every_efficiency_path_with_its_permission(city: RatedCity) -> None:
    document = city.client.get("/api/v1/openapi.json").json()
    paths = {p: item for p, item in document["paths"].items() if p.startswith(API)}
    assert sorted(paths) == [
        f"{API}/organisations/{{organisation_id}}",
        f"{API}/periods",
        f"{API}/rankings",
        f"{API}/rollups",
        f"{API}/watchlist",
    ]
    assert {op["x-permission"] for item in paths.values() for op in item.values()} == {"efficiency:read"}
    assert all(set(item) == {"get"} for item in paths.values())


@pytest.mark.parametrize("path", ["/periods", "/organisations/1", "/rankings", "/watchlist", "/rollups"])
def test_every_endpoint_needs_efficiency_read(rated: RatedCity, path: str) -> None:
    anonymous = rated.get(path, None, industry="C3411")
    assert anonymous.status_code == 401
    assert anonymous.headers["content-type"] == PROBLEM
    for who in ("bank", "public"):  # banks see grades only through the consented green-finance profile
        refused = rated.get(path, who, industry="C3411")
        assert refused.status_code == 403, who
        assert "efficiency:read" in refused.json()["detail"]


def test_rated_periods_give_counts_only(rated: RatedCity) -> None:
    answer = rated.get("/periods", "enterprise_a")
    assert answer.status_code == 200, answer.text
    [period] = answer.json()
    assert period.pop("finished_at").startswith("20")
    assert period == {
        "period": "2024",
        "scheme": "huzhou",
        "scheme_version": "2026.1",
        "organisation_count": 5,
        "rated_count": 3,
    }


def test_an_enterprise_reads_its_own_grade_and_ranks_unaudited(rated: RatedCity) -> None:
    answer = rated.get(f"/organisations/{rated.ids[A]}", "enterprise_a")  # latest year, default scheme
    assert answer.status_code == 200, answer.text
    grade = answer.json()
    assert (grade["uscc"], grade["period"], grade["scheme"], grade["scheme_version"]) == (
        A,
        "2024",
        "huzhou",
        "2026.1",
    )
    # L = 1000 MWh × 0.5306 ÷ 1000 × 10⁴ CNY; benchmark = 0.5306 × 4000 ÷ 1750; K = L ÷ benchmark.
    assert grade["intensity_tco2e_per_10k_cny"] == pytest.approx(0.5306)
    assert grade["benchmark_tco2e_per_10k_cny"] == pytest.approx(0.5306 * 4000 / 1750)
    assert (grade["benchmark_industry_code"], grade["benchmark_level"], grade["benchmark_peer_count"]) == (
        "C3411",
        "class",
        3,
    )
    assert grade["k_industry"] == pytest.approx(0.4375)
    assert (grade["grade"], grade["grade_code"], grade["level_code"], grade["colour"]) == (
        1,
        "1",
        "low",
        "dark_green",
    )
    assert grade["output_per_mu_10k_cny"] == pytest.approx(4000 / 50)
    assert grade["not_rated_reason"] is None and grade["not_rated_text"] is None
    assert grade["industry_rank"] == {"code": "C3411", "name": "锅炉及辅助设备制造", "rank": 1, "count": 3}
    assert grade["county_rank"] == {"code": "331002", "name": "椒江区", "rank": 1, "count": 3}
    assert _audit(rated) == []


def test_a_firm_not_rated_has_its_reason_in_the_callers_language(rated: RatedCity) -> None:
    path = f"/organisations/{rated.ids[D]}"
    chinese = rated.get(path, "admin", "zh-CN", period="2024", scheme="huzhou").json()
    assert (chinese["grade"], chinese["k_industry"], chinese["industry_rank"], chinese["county_rank"]) == (
        None,
        None,
        None,
        None,
    )
    assert chinese["not_rated_reason"] == "value_added_missing"
    assert chinese["not_rated_text"] == "未填报工业增加值"
    english = rated.get(path, "admin", "en").json()
    assert english["not_rated_text"] == "Value added not reported"


@pytest.mark.parametrize(
    ("who", "firm", "status"),
    [
        ("enterprise_a", B, 403),  # another enterprise, by changing the id
        ("analyst", A, 200),  # analyst of 331002, where A is
        ("analyst_far", A, 403),  # analyst of 331082
        ("analyst_city", B, 200),  # the prefecture holds 331002
        ("admin", B, 200),
    ],
)
def test_organisation_grade_follows_the_organisation_scope(
    rated: RatedCity, who: str, firm: str, status: int
) -> None:
    answer = rated.get(f"/organisations/{rated.ids[firm]}", who)
    assert answer.status_code == status, answer.text
    if status == 403:
        assert answer.headers["content-type"] == PROBLEM
        assert str(rated.ids[firm]) in answer.json()["detail"]


def test_outside_reads_of_a_grade_are_audited_for_the_data_owner(rated: RatedCity) -> None:
    rated.get(f"/organisations/{rated.ids[A]}", "enterprise_a")
    rated.get(f"/organisations/{rated.ids[A]}", "analyst")
    rated.get(f"/organisations/{rated.ids[A]}", "analyst_far")  # refused: nothing to record
    events = rated.client.get("/api/v1/audit-events", headers=rated.headers("enterprise_a")).json()["items"]
    assert [(e["actor_username"], e["resource"], e["action"]) for e in events] == [
        ("analyst", "efficiency_grade", "read")
    ]


def test_grade_not_found_and_bad_parameters(rated: RatedCity) -> None:
    own = f"/organisations/{rated.ids[A]}"
    unknown = rated.get("/organisations/999999", "admin")
    assert unknown.status_code == 404
    unrated = rated.get(own, "enterprise_a", "zh-CN", period="2023")
    assert unrated.status_code == 404
    assert unrated.json()["detail"] == "2023 尚未按方案 huzhou 进行碳效评价"
    assert rated.get(own, "enterprise_a", period="2024-Q1").status_code == 404
    never = rated.get(own, "enterprise_a", scheme="quzhou")  # no year rated with quzhou
    assert never.status_code == 404
    assert never.json()["detail"] == "No year has been rated with scheme quzhou yet"
    individual = rated.get(f"/organisations/{rated.ids[F]}", "admin")  # registered, but not an enterprise
    assert individual.status_code == 404
    assert individual.json()["detail"] == (
        f"Organisation {rated.ids[F]} was not rated in 2024 (scheme huzhou)"
    )
    for params in ({"scheme": "hangzhou"}, {"scheme": "Huzhou!"}, {"period": "2024-13"}, {"period": "1800"}):
        bad = rated.get(own, "enterprise_a", **params)
        assert bad.status_code == 422, params
        assert bad.headers["content-type"] == PROBLEM
    assert rated.get("/organisations/0", "admin").status_code == 422


def test_administrators_read_whole_rankings_and_the_read_is_audited(rated: RatedCity) -> None:
    answer = rated.get("/rankings", "admin", period="2024", industry="C3411")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["dimension"], body["code"], body["name"], body["ranked_count"]) == (
        "industry",
        "C3411",
        "锅炉及辅助设备制造",
        3,
    )
    assert [(r["uscc"], r["rank"]) for r in body["items"]] == [(A, 1), (B, 2), (C, 3)]
    assert [r["k_industry"] for r in body["items"]] == pytest.approx([0.4375, 0.875, 3.5])
    assert [r["grade"] for r in body["items"]] == [1, 3, 5]
    county = rated.get("/rankings", "admin", county="331002", limit=2, offset=2).json()
    assert [(r["uscc"], r["rank"]) for r in county["items"]] == [(C, 3), (D, None)]
    assert (county["ranked_count"], county["next_offset"]) == (3, 4)
    assert _audit(rated) == [("admin", "efficiency_ranking", None)] * 2


def test_an_enterprise_sees_only_its_own_ranking_row(rated: RatedCity) -> None:
    body = rated.get("/rankings", "enterprise_a", industry="3411").json()
    assert [(r["uscc"], r["rank"], r["k_industry"]) for r in body["items"]] == [(A, 1, 0.4375)]
    assert (body["code"], body["ranked_count"], body["next_offset"]) == ("C3411", 3, None)
    unranked = rated.get("/rankings", "enterprise_e", county="331002").json()
    assert [(r["uscc"], r["rank"]) for r in unranked["items"]] == [(E, None)]
    outside = rated.get("/rankings", "enterprise_e", industry="C3411")  # E was compared with no benchmark
    assert outside.status_code == 403
    assert _audit(rated) == []  # own rows only


def test_analysts_see_ranking_rows_of_their_regions_only(rated: RatedCity) -> None:
    body = rated.get("/rankings", "analyst", county="331002").json()
    assert [r["uscc"] for r in body["items"]] == [A, B, C, D, E]
    refused = rated.get("/rankings", "analyst_far", "zh-CN", county="331002")
    assert refused.status_code == 403
    assert refused.json()["detail"] == "您的账户无权查看该排名（county 331002）中的任何企业"
    assert _audit(rated) == [("analyst", "efficiency_ranking", None)]


def test_analyst_ranks_are_those_of_the_whole_group(city: RatedCity, tmp_path: Path) -> None:
    # G in 331003: 1000 MWh and 1000 × 10⁴ CNY like A, so the benchmark becomes f × 5000 ÷ 2750,
    # K = 0.55 for A and G (sharing rank 1), 1.1 for B (rank 3) and 4.4 for C (rank 4).
    for name, text in (
        (
            "g.csv",
            f"uscc,name,kind,industry_code,region_code,area_mu\n{G},黄岩庚机械,enterprise,C3411,331003,10\n",
        ),
        (
            "g-production.csv",
            f"uscc,period,output_value_10k_cny,value_added_10k_cny\n{G},2024-01,4000,1000\n",
        ),
        (
            "g-activity.csv",
            f"uscc,period,category,item,quantity,unit\n{G},2024-01,electricity,grid,1000,MWh\n",
        ),
    ):
        (tmp_path / name).write_text(text, "utf-8")
        import_file(city.url, tmp_path / name, file_name=name)
    recalculate(city.url)
    rate(city.url, "2024", options())
    jiaojiang = city.get("/rankings", "analyst", industry="C3411").json()
    assert [(r["uscc"], r["rank"]) for r in jiaojiang["items"]] == [(A, 1), (B, 3), (C, 4)]
    assert [r["k_industry"] for r in jiaojiang["items"]] == pytest.approx([0.55, 1.1, 4.4])
    assert jiaojiang["ranked_count"] == 4
    city_wide = city.get("/rankings", "analyst_city", industry="C3411").json()
    assert [r["rank"] for r in city_wide["items"]] == [1, 1, 3, 4]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 422),
        ({"industry": "C3411", "county": "331002"}, 422),
        ({"industry": "C34111"}, 422),
        ({"county": "33100"}, 422),
        ({"industry": "C3411", "period": "2023"}, 404),
        ({"industry": "C3412"}, 404),
        ({"county": "331003"}, 404),
        ({"industry": "C3411", "scheme": "quzhou"}, 404),
        ({"industry": "C3411", "scheme": "hangzhou"}, 422),
    ],
)
def test_ranking_parameters(rated: RatedCity, params: dict[str, str], status: int) -> None:
    answer = rated.get("/rankings", "admin", **params)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == PROBLEM
    if not params:
        assert answer.json()["detail"] == "Give exactly one group to rank: an industry code or a county code"


def test_watchlist_is_scoped_like_rankings(rated: RatedCity) -> None:
    body = rated.get("/watchlist", "admin", period="2024").json()
    assert (body["period"], body["scheme"], body["next_offset"]) == ("2024", "huzhou", None)
    [entry] = body["items"]
    assert (
        entry["uscc"],
        entry["organisation_id"],
        entry["rule_code"],
        entry["movement"],
        entry["grade"],
    ) == (
        E,
        rated.ids[E],
        "low_output_per_mu",
        "entered",
        None,
    )
    assert entry["energy_tce"] == pytest.approx(100 * 0.1229)  # 100 MWh × 0.1229 tce/MWh
    assert entry["output_per_mu_10k_cny"] == 0
    assert entry["output_per_mu_threshold_10k_cny"] == pytest.approx(8.0)
    assert rated.get("/watchlist", "enterprise_a").json()["items"] == []
    own = rated.get("/watchlist", "enterprise_e").json()["items"]
    assert [e["uscc"] for e in own] == [E]
    assert [e["uscc"] for e in rated.get("/watchlist", "analyst").json()["items"]] == [E]
    assert rated.get("/watchlist", "analyst_far").json()["items"] == []
    assert rated.get("/watchlist", "admin", period="2023").status_code == 404
    # Admin and the analyst of 331002 saw E's entry; E itself and the others saw no one else's.
    assert _audit(rated) == [
        ("analyst", "efficiency_watchlist", None),
        ("admin", "efficiency_watchlist", None),
    ]


def test_rollups_of_a_county(rated: RatedCity) -> None:
    body = rated.get("/rollups", "admin", dimension="region", level="county").json()
    assert (body["dimension"], body["level"], body["period"]) == ("region", "county", "2024")
    [row] = body["items"]
    assert (
        row["code"],
        row["name"],
        row["organisation_count"],
        row["rated_count"],
        row["not_rated_count"],
    ) == (
        "331002",
        "椒江区",
        5,
        3,
        2,
    )
    counts = [row[f"grade_{n}_count"] for n in range(1, 6)]
    assert counts == [1, 0, 1, 0, 1]
    assert row["emissions_tco2e"] == pytest.approx(0.5306 * 4200)  # A–E: 4,200 MWh
    assert row["value_added_10k_cny"] == pytest.approx(1760)  # 1000 + 500 + 250 + E's 10
    assert row["intensity_tco2e_per_10k_cny"] == pytest.approx(0.5306 * 4000 / 1750)  # the peers only
    industry = rated.get("/rollups", "admin", dimension="industry").json()
    assert (industry["level"], [r["code"] for r in industry["items"]]) == ("class", ["C3411"])


@pytest.mark.parametrize(
    ("who", "params", "status", "codes"),
    [
        ("analyst", {"level": "county"}, 200, ["331002"]),
        ("analyst", {"level": "prefecture"}, 200, []),  # 台州市 holds counties beyond 331002
        ("analyst_far", {"level": "county"}, 200, []),
        ("analyst_city", {"level": "prefecture"}, 200, ["331000"]),
        ("analyst_city", {"level": "province"}, 200, []),
        ("analyst", {"dimension": "industry"}, 403, None),
        ("analyst_city", {"dimension": "industry", "level": "division"}, 403, None),
        ("analyst_province", {"dimension": "industry", "level": "division"}, 200, ["C34"]),
        ("enterprise_a", {"level": "county"}, 403, None),
        ("admin", {"dimension": "region", "level": "class"}, 422, None),
        ("admin", {"level": "street"}, 422, None),
        ("admin", {"period": "2023"}, 404, None),
    ],
)
def test_rollups_by_role_and_region(
    rated: RatedCity, who: str, params: dict[str, str], status: int, codes: list[str] | None
) -> None:
    answer = rated.get("/rollups", who, **params)
    assert answer.status_code == status, answer.text
    if codes is not None:
        assert [r["code"] for r in answer.json()["items"]] == codes


def test_nothing_rated_is_not_found(city: RatedCity) -> None:
    for path, params in (
        ("/rankings", {"industry": "C3411"}),
        ("/watchlist", {}),
        ("/rollups", {}),
        (f"/organisations/{city.ids[A]}", {}),
    ):
        answer = city.get(path, "admin", **params)
        assert answer.status_code == 404, path
        assert answer.json()["detail"] == "No year has been rated with scheme huzhou yet"
    assert city.get("/periods", "admin").json() == []
