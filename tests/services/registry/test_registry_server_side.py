"""The PostgreSQL transfer function (migration 0009) does exactly what the Python path does."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from sqlalchemy import text

from citycarbon.domain.access.roles import Principal, Role
from citycarbon.domain.sinks.errors import InsufficientUnits
from citycarbon.services import registry_operations
from citycarbon.services.caller import Caller
from citycarbon.services.registry_access import RegistryForbidden, RegistryNotFound
from citycarbon.services.registry_verify import verify_registry
from citycarbon.store.db import get_engine
from citycarbon.store.tables import Base

from .conftest import ACTOR, build_registry

ACCOUNTS = ("COOP", "FUND", "BUYER-A", "BUYER-B")
BLOCKS = """SELECT p.project_code, b.vintage_year, b.serial_start, b.serial_end, a.account_code, b.state
  FROM sink_unit_block b JOIN sink_account a ON a.id = b.account_id JOIN sink_project p ON p.id = b.project_id
 ORDER BY b.serial_start"""
MOVEMENTS = """SELECT e.event_type, e.reference, m.line_no, m.serial_start, m.serial_end, m.from_account_code,
       m.to_account_code FROM sink_journal_movement m JOIN sink_journal_entry e ON e.id = m.entry_id
 ORDER BY e.id, m.line_no"""


def _run_sequence(url: str, folder: Path) -> tuple[list[object], list[object]]:
    build_registry(url, folder)
    rng = random.Random(6)
    for _ in range(60):
        source, target = rng.sample(ACCOUNTS, 2)
        try:
            registry_operations.transfer_units(url, source, target, rng.randint(1, 400), ACTOR)
        except InsufficientUnits:
            continue
    with get_engine(url).connect() as connection:
        return list(connection.execute(text(BLOCKS)).all()), list(connection.execute(text(MOVEMENTS)).all())


def _empty(url: str) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with get_engine(url).begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


def test_server_side_transfers_match_the_python_path(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_server = _run_sequence(pg_url, tmp_path)
    assert verify_registry(pg_url).ok
    _empty(pg_url)
    monkeypatch.setattr(registry_operations, "is_postgresql", lambda url: False)
    in_python = _run_sequence(pg_url, tmp_path)
    assert on_server == in_python
    assert len(on_server[0]) > 10  # the sequence really fragmented the holdings


def test_server_side_errors_are_the_registrys_errors(pg_url: str, tmp_path: Path) -> None:
    build_registry(pg_url, tmp_path)
    with pytest.raises(RegistryNotFound):
        registry_operations.transfer_units(pg_url, "COOP", "NOBODY", 1, ACTOR)
    with pytest.raises(RegistryNotFound):
        registry_operations.transfer_units(pg_url, "COOP", "FUND", 1, ACTOR, project_code="NONE")
    with pytest.raises(InsufficientUnits) as short:
        registry_operations.transfer_units(pg_url, "COOP", "FUND", 2224, ACTOR)
    assert short.value.params == {"account": "COOP", "held": 2223, "wanted": 2224}
    stranger = Caller(
        Principal(user_id=7, username="e", organisation_id=99, roles=frozenset({Role.ENTERPRISE}))
    )
    with pytest.raises(RegistryForbidden):
        registry_operations.transfer_units(pg_url, "COOP", "FUND", 1, ACTOR, caller=stranger)
    moved = registry_operations.transfer_units(pg_url, "COOP", "FUND", 5, ACTOR, "MUSSEL-01", 2023)
    assert [(m.serial_start, m.serial_end) for m in moved.movements] == [(1, 5)]
    assert verify_registry(pg_url).ok


def test_migration_0009_installs_the_function_on_postgresql_only(db_url: str) -> None:
    from alembic.migration import MigrationContext

    with get_engine(db_url).connect() as connection:
        assert "0009" in MigrationContext.configure(connection).get_current_heads()
        if connection.dialect.name == "postgresql":
            found = "SELECT count(*) FROM pg_proc WHERE proname = 'sink_transfer_units'"
            assert connection.execute(text(found)).scalar_one() == 1


def test_a_pooled_connection_killed_while_idle_is_replaced(
    pg_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from citycarbon.services import registry_pg

    build_registry(pg_url, tmp_path)
    registry_operations.transfer_units(pg_url, "COOP", "FUND", 1, ACTOR)  # a pooled connection now exists
    kill = "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
    kill += "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    with get_engine(pg_url).connect() as connection:
        assert connection.execute(text(kill)).all()  # e.g. the server restarted overnight
    monkeypatch.setattr(registry_pg, "IDLE_PING_S", 0.0)  # the connection has been idle long enough
    moved = registry_operations.transfer_units(pg_url, "COOP", "FUND", 2, ACTOR)
    assert [(m.serial_start, m.serial_end) for m in moved.movements] == [(2, 3)]


def test_a_process_seals_its_entries_before_it_exits(pg_url: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    from citycarbon.services.registry_journal import seal_journal

    build_registry(pg_url, tmp_path)
    seal_journal(pg_url)
    script = "import sys; from citycarbon.services import registry_operations as r; "
    script += "r.transfer_units(sys.argv[1], 'COOP', 'FUND', 3, 'cli'); "
    script += "r.retire_units(sys.argv[1], 'FUND', 1, 'b', 'p', 'cli')"
    subprocess.run([sys.executable, "-c", script, pg_url], check=True, timeout=120)
    unsealed = (
        "SELECT count(*) FILTER (WHERE seq IS NULL), count(*) FROM sink_journal_entry WHERE actor = 'cli'"
    )
    with get_engine(pg_url).connect() as connection:
        assert tuple(connection.execute(text(unsealed)).one()) == (0, 2)
