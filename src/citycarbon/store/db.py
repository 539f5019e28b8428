"""Engine and session set-up, the unit of work, and schema migration at start-up."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets the web server read while imports write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@cache
def get_engine(url: str) -> Engine:
    """One engine per database URL per process; creates the SQLite file's folder if needed."""
    if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, future=True, pool_pre_ping=not url.startswith("sqlite"))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(url: str) -> sessionmaker[Session]:
    """A session factory bound to the engine of ``url``."""
    return sessionmaker(get_engine(url), expire_on_commit=False)


@contextmanager
def unit_of_work(url: str) -> Iterator[Session]:
    """Run a use case in one transaction: commit on success, roll back on any exception."""
    session = session_factory(url)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()


def alembic_config(url: str) -> Config:
    """Alembic configuration pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(resources.files("citycarbon.store") / "alembic"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade_database(url: str) -> None:
    """Bring the schema at ``url`` to the newest migration of every branch (idempotent).

    Each bounded context may own a migration branch, so the target is ``heads``.
    """
    command.upgrade(alembic_config(url), "heads")
