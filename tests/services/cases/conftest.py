"""Fixtures of the case tests: organisations in Taizhou (and one in Hangzhou) and callers by role."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.services.caller import Caller
from citycarbon.store import case_tables  # noqa: F401  (registers the tables for the per-test TRUNCATE)
from citycarbon.store.db import unit_of_work
from citycarbon.store.tables import Organisation

T0 = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)
#: 椒江区 and 黄岩区 (Taizhou 331000), 上城区 (Hangzhou, outside the analyst's region).
REGIONS = ("331002", "331003", "330102")


@dataclass(frozen=True)
class World:
    url: str
    organisation_ids: list[int]
    admin: Caller
    analyst: Caller
    enterprise: Callable[[int], Caller]
    t0: dt.datetime = T0


def _enterprise(organisation_id: int) -> Caller:
    return Caller(
        Principal(
            100 + organisation_id, f"firm-{organisation_id}", organisation_id, frozenset({Role.ENTERPRISE})
        )
    )


@pytest.fixture
def world(db_url: str) -> World:
    ids = []
    with unit_of_work(db_url) as session:
        for number, region in enumerate(REGIONS, start=1):
            org = Organisation(uscc=f"91331000MA2C{number:05d}X", name=f"企业{number}", region_code=region)
            session.add(org)
            session.flush()
            ids.append(org.id)
    return World(
        db_url,
        ids,
        Caller(Principal(1, "admin-a", roles=frozenset({Role.ADMIN}))),
        Caller(
            Principal(2, "analyst-tz", roles=frozenset({Role.ANALYST}), region_codes=frozenset({"331000"}))
        ),
        _enterprise,
    )
