"""The 0007 migration creates exactly the indicator tables the models describe, on both backends."""

from __future__ import annotations

from citycarbon.store import indicator_tables

from ..conftest import CheckSchema

TABLES = {"industrial_park", "industrial_park_member", "indicator_run", "indicator_weight", "indicator_score"}


def test_migrated_schema_matches_the_models(migrated_schema: CheckSchema) -> None:
    assert {t.__tablename__ for t in vars(indicator_tables).values() if hasattr(t, "__tablename__")} == TABLES

    schema = migrated_schema(TABLES)
    assert schema.differences == []
    assert "0007" in schema.heads
