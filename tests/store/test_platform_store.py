"""The platform tables: the migration matches them, and the audit log rejects UPDATE and DELETE."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from citycarbon.domain.access.roles import Principal
from citycarbon.services.audit import record_event
from citycarbon.services.caller import Caller
from citycarbon.store import platform_tables
from citycarbon.store.db import get_engine, unit_of_work
from citycarbon.store.platform_tables import AuditEvent
from citycarbon.store.tables import Base

PLATFORM_TABLES = {
    "user_account",
    "role_assignment",
    "api_token",
    "web_session",
    "consent",
    "audit_event",
    "loan_pricing_rule",
    "import_job",
}


def test_migration_0003_creates_exactly_the_declared_tables(db_url: str) -> None:
    assert platform_tables.UserAccount.__tablename__ in PLATFORM_TABLES
    with get_engine(db_url).connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    ours = [d for d in diff if _table_of(d) in PLATFORM_TABLES]
    assert ours == []


def _table_of(difference: object) -> str | None:
    item = difference[0] if isinstance(difference, list) else difference
    assert isinstance(item, tuple)
    for part in item[1:]:
        name = getattr(part, "name", None) if not isinstance(part, str) else part
        table = getattr(getattr(part, "table", None), "name", None)
        if table in PLATFORM_TABLES or name in PLATFORM_TABLES:
            return str(table or name)
    return None


def test_audit_log_is_append_only_in_the_database(db_url: str) -> None:
    with unit_of_work(db_url) as session:
        record_event(session, Caller(Principal(user_id=None, username="probe")), action="read", resource="x")
    with pytest.raises(DatabaseError, match="append-only"), unit_of_work(db_url) as session:
        session.execute(update(AuditEvent).values(purpose="rewritten"))
    with pytest.raises(DatabaseError, match="append-only"), unit_of_work(db_url) as session:
        session.execute(delete(AuditEvent))
    with get_engine(db_url).connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM audit_event")).scalar() == 1
