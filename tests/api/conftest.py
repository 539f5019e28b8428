"""A small city for API tests: two enterprises, a bank, and one user (with a token) per role.

Built through the services on the ``db_url`` database of each backend, so every API test runs
on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from citycarbon.api.app import create_app
from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.services.importing import import_file
from citycarbon.services.ledger import recalculate
from citycarbon.services.organisation_directory import create_organisation
from citycarbon.services.user_admin import RoleGrant, add_user, issue_token
from citycarbon.settings import Settings
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

EXAMPLES = Path(__file__).resolve().parents[2] / "docs" / "examples"
USCC_A = "91330100716105852F"  # 331002 Jiaojiang, machinery
USCC_B = "914403001922038216"  # 331082 Linhai, cement
BANK_USCC = "91331000MA2BANK01P"
PASSWORD = "correct horse battery"


@dataclass
class City:
    """Ids, tokens and a client for the test city."""

    url: str
    client: TestClient
    org_a: int
    org_b: int
    bank: int
    tokens: dict[str, str] = field(default_factory=dict)
    uscc_a: str = USCC_A
    uscc_b: str = USCC_B
    bank_uscc: str = BANK_USCC

    def headers(self, who: str | None, lang: str = "en") -> dict[str, str]:
        """Headers of a request by ``who`` (a key of ``tokens``; ``None`` = anonymous)."""
        found = {"Accept-Language": lang}
        if who is not None:
            found["Authorization"] = f"Bearer {self.tokens[who]}"
        return found


def platform_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {"import_worker_enabled": False, "rate_limit_per_second": 1000.0}
    return Settings(**(values | overrides))  # type: ignore[arg-type]


def _users(url: str, org_a: int, org_b: int, bank: int) -> dict[str, str]:
    people = {
        "admin": (None, [RoleGrant(Role.ADMIN)]),
        "enterprise_a": (org_a, [RoleGrant(Role.ENTERPRISE)]),
        "enterprise_b": (org_b, [RoleGrant(Role.ENTERPRISE)]),
        "bank": (bank, [RoleGrant(Role.BANK)]),
        "analyst": (None, [RoleGrant(Role.ANALYST, region_code="331002")]),
        "verifier": (None, [RoleGrant(Role.VERIFIER, organisation_id=org_b)]),
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
def city(db_url: str) -> Iterator[City]:
    import_file(db_url, EXAMPLES / "organisations.csv", file_name="organisations.csv")
    import_file(db_url, EXAMPLES / "activity.csv", file_name="activity.csv")
    recalculate(db_url)
    admin = Caller(Principal(user_id=None, username="fixture", roles=frozenset({Role.ADMIN})))
    bank = create_organisation(
        db_url,
        admin,
        uscc=BANK_USCC,
        name="台州示例银行",
        kind="bank",
        industry_code="J66",
        region_code="331000",
        area_mu=None,
    )
    with unit_of_work(db_url) as session:
        ids = dict(session.execute(select(Organisation.uscc, Organisation.id)).all())
    tokens = _users(db_url, ids[USCC_A], ids[USCC_B], bank.organisation_id)
    client = TestClient(create_app(db_url, platform_settings()))
    yield City(db_url, client, ids[USCC_A], ids[USCC_B], bank.organisation_id, tokens)
    client.close()


ClientFactory = Callable[..., TestClient]


@pytest.fixture
def client_with(city: City) -> Iterator[ClientFactory]:
    """Make a client of the city's database with some settings changed (limits, worker)."""
    made: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        made.append(TestClient(create_app(city.url, platform_settings(**overrides))))
        return made[-1]

    yield make
    for client in made:
        client.close()
