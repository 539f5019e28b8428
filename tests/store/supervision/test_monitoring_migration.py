"""The 0006 migration creates exactly the monitoring tables the models describe, on both backends."""

from __future__ import annotations

from citycarbon.store import monitoring_tables

from ..conftest import CheckSchema

TABLES = {
    "monitoring_outlet",
    "outlet_limit",
    "monitoring_reading",
    "monitoring_gap",
    "meter_electricity_record",
    "warning_run",
    "supervision_warning",
    "warning_evidence",
}


def test_migrated_schema_matches_the_models(migrated_schema: CheckSchema) -> None:
    assert {
        t.__tablename__ for t in vars(monitoring_tables).values() if hasattr(t, "__tablename__")
    } == TABLES

    schema = migrated_schema(TABLES)
    assert schema.differences == []
    assert "0006" in schema.heads
