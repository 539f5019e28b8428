"""Migrations 0004 and 0009 create exactly the registry tables the models describe, on both backends."""

from __future__ import annotations

from citycarbon.store import registry_journal_tables, registry_tables

from .conftest import CheckSchema

TABLES = {
    name
    for module in (registry_tables, registry_journal_tables)
    for name in (getattr(t, "__tablename__", None) for t in vars(module).values())
    if name
}


def test_migrated_registry_schema_matches_the_models(migrated_schema: CheckSchema) -> None:
    assert len(TABLES) == 15 and all(name.startswith("sink_") for name in TABLES)

    schema = migrated_schema(TABLES)
    assert schema.differences == []
    assert "0009" in schema.heads  # 0009 (transfer function) follows 0004
