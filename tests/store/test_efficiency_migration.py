"""Migrations 0002 and 0011 create exactly the efficiency tables the models describe, on both backends.

0011 (ranks on read) drops the stored ranks and adds ``county_code``, backfilled from the
region code of rows rated before it; it is checked on a database migrated only to 0002 that
holds such rows, then downgraded again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import make_url

from citycarbon.store import efficiency_tables
from citycarbon.store.db import alembic_config, get_engine
from citycarbon.store.efficiency_tables import RatingRun
from citycarbon.store.tables import Organisation

from ..conftest import PG_URL
from .conftest import CheckSchema

TABLES = {
    "rating_run",
    "efficiency_benchmark",
    "efficiency_grade",
    "watchlist_entry",
    "efficiency_rollup",
}
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
#: efficiency_grade as migration 0002 created it, with only the columns the rows below need.
OLD_GRADE = sa.table(
    "efficiency_grade",
    *(
        sa.column(name)
        for name in (
            "rating_run_id",
            "organisation_id",
            "period_code",
            "scheme_code",
            "scheme_version",
            "region_code",
            "is_benchmark_peer",
            "rank_in_industry",
            "rank_in_region",
            "created_at",
        )
    ),
)


def test_migrated_schema_matches_the_models(migrated_schema: CheckSchema) -> None:
    assert {
        t.__tablename__ for t in vars(efficiency_tables).values() if hasattr(t, "__tablename__")
    } == TABLES

    schema = migrated_schema(TABLES)
    assert schema.differences == []
    assert "0011" in schema.heads  # 0011 (ranks on read) follows 0002


@pytest.fixture(params=["sqlite", "postgresql"])
def blank_url(
    request: pytest.FixtureRequest, tmp_path: Path, worker_id: str, testrun_uid: str
) -> Iterator[str]:
    """An empty database of each backend, not migrated (PostgreSQL: a throw-away database)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.sqlite3'}"
        return
    name = f"citycarbon_mig_{testrun_uid[:10]}_{worker_id}".replace("-", "_").lower()
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        get_engine(url).dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _grade_columns(url: str) -> set[str]:
    return {column["name"] for column in sa.inspect(get_engine(url)).get_columns("efficiency_grade")}


def test_0011_backfills_county_codes_and_downgrades(blank_url: str) -> None:
    config = alembic_config(blank_url)
    command.upgrade(config, "0002")
    engine = get_engine(blank_url)
    with engine.begin() as connection:
        org_ids = [
            connection.execute(
                Organisation.__table__.insert()
                .values(uscc=f"91331000MA2C0000{i}X", name=f"firm {i}", region_code=region, created_at=NOW)
                .returning(Organisation.id)
            ).scalar_one()
            for i, region in enumerate(("331002", "331000"))  # a county; a prefecture (no county)
        ]
        run_id = connection.execute(
            RatingRun.__table__.insert()
            .values(
                period_code="2024",
                scheme_code="huzhou",
                scheme_version="2026.1",
                benchmark_level="class",
                benchmark_method="total_ratio",
                min_peers=5,
                watch_rules="[]",
                input_fingerprint="0" * 64,
                trigger="rate",
                organisation_count=2,
                rated_count=2,
                started_at=NOW,
            )
            .returning(RatingRun.id)
        ).scalar_one()
        connection.execute(
            OLD_GRADE.insert(),
            [
                {
                    "rating_run_id": run_id,
                    "organisation_id": org_id,
                    "period_code": "2024",
                    "scheme_code": "huzhou",
                    "scheme_version": "2026.1",
                    "region_code": region,
                    "is_benchmark_peer": True,
                    "rank_in_industry": rank,
                    "rank_in_region": rank,
                    "created_at": NOW,
                }
                for org_id, region, rank in zip(org_ids, ("331002", "331000"), (1, 2), strict=True)
            ],
        )

    command.upgrade(config, "0011")
    assert {"rank_in_industry", "rank_in_region"}.isdisjoint(_grade_columns(blank_url))
    query = sa.text("SELECT organisation_id, county_code FROM efficiency_grade ORDER BY organisation_id")
    with engine.connect() as connection:
        assert connection.execute(query).all() == [(org_ids[0], "331002"), (org_ids[1], None)]
    indexes = {index["name"]: index for index in sa.inspect(engine).get_indexes("efficiency_grade")}
    assert {"ix_efficiency_grade_run_industry", "ix_efficiency_grade_run_county"} <= set(indexes)
    # SQLite's batch copy of the table keeps the current-row index partial.
    where = indexes["uq_efficiency_grade_current"]["dialect_options"]
    assert "superseded_at IS NULL" in str(where.get("sqlite_where", where.get("postgresql_where")))

    command.downgrade(config, "0002")
    columns = _grade_columns(blank_url)
    assert {"rank_in_industry", "rank_in_region"} <= columns and "county_code" not in columns
    with engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM efficiency_grade")).scalar_one() == 2
