"""The 0008 migration creates exactly the case tables the models describe; the log is append-only."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from citycarbon.store import case_tables
from citycarbon.store.db import get_engine
from citycarbon.store.tables import Organisation

from ..conftest import CheckSchema

TABLES = {name for t in vars(case_tables).values() if (name := getattr(t, "__tablename__", None))}


def test_migrated_case_schema_matches_the_models(migrated_schema: CheckSchema) -> None:
    assert {
        "supervision_case",
        "supervision_case_transition",
        "supervision_case_warning",
        "supervision_case_evidence",
        "supervision_case_rating",
        "notification_subscription",
        "notification_outbox",
    } == TABLES

    schema = migrated_schema(TABLES)
    assert schema.differences == []
    assert "0010" in schema.heads  # 0010 (case warnings) follows 0008


def test_transition_log_rejects_update_and_delete(db_url: str) -> None:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    engine = get_engine(db_url)
    with engine.begin() as connection:
        org_id = connection.execute(
            Organisation.__table__.insert()
            .values(
                uscc="91331000MA2C00001X", name="a", region_code="331002", kind="enterprise", created_at=now
            )
            .returning(Organisation.id)
        ).scalar_one()
        case_id = connection.execute(
            case_tables.SupervisionCase.__table__.insert()
            .values(
                organisation_id=org_id,
                severity="low",
                title="t",
                state="open",
                deadline_at=now,
                deadline_set="x",
                escalation_level=0,
                reopen_count=0,
                version=1,
                opened_by="s",
                opened_at=now,
            )
            .returning(case_tables.SupervisionCase.id)
        ).scalar_one()
        connection.execute(
            case_tables.SupervisionCaseTransition.__table__.insert().values(
                case_id=case_id,
                action="open",
                to_state="open",
                actor_username="s",
                actor_role="system",
                occurred_at=now,
                note="",
            )
        )
    for statement in (
        "UPDATE supervision_case_transition SET note = 'x'",
        "DELETE FROM supervision_case_transition",
    ):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))
