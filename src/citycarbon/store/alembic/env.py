"""Alembic environment: runs migrations on the engine of the configured URL."""

from __future__ import annotations

from alembic import context

from citycarbon.store.db import get_engine
from citycarbon.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    """Run migrations in a transaction on a live connection (batch mode for SQLite ALTERs)."""
    engine = get_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=engine.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
