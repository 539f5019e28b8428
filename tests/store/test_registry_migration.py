"""Migrations 0004 and 0009 create exactly the registry tables the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from citycarbon.store import registry_journal_tables, registry_tables
from citycarbon.store.db import get_engine
from citycarbon.store.tables import Base

TABLES = {
    name
    for module in (registry_tables, registry_journal_tables)
    for name in (getattr(t, "__tablename__", None) for t in vars(module).values())
    if name
}


def test_migrated_registry_schema_matches_the_models(db_url: str) -> None:
    assert len(TABLES) == 15 and all(name.startswith("sink_") for name in TABLES)

    def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in TABLES

    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        assert compare_metadata(context, Base.metadata) == []
        assert "0009" in context.get_current_heads()  # 0009 (transfer function) follows 0004
