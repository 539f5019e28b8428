"""The 0007 migration creates exactly the indicator tables the models describe, on both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from citycarbon.store import indicator_tables
from citycarbon.store.db import get_engine
from citycarbon.store.tables import Base

TABLES = {"industrial_park", "industrial_park_member", "indicator_run", "indicator_weight", "indicator_score"}


def test_migrated_schema_matches_the_models(db_url: str) -> None:
    assert {t.__tablename__ for t in vars(indicator_tables).values() if hasattr(t, "__tablename__")} == TABLES

    def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
        table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
        return table in TABLES

    with get_engine(db_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": ours})
        assert compare_metadata(context, Base.metadata) == []
        heads = context.get_current_heads()
    assert "0007" in heads
