"""The check every migration test makes: the migrated tables are exactly what the models describe."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from citycarbon.store.db import get_engine
from citycarbon.store.tables import Base


@dataclass(frozen=True)
class MigratedSchema:
    """What autogenerate finds between a migrated database and the models, for some tables."""

    differences: list[Any]
    heads: tuple[str, ...]


#: The type of the :func:`migrated_schema` fixture.
CheckSchema = Callable[[Collection[str]], MigratedSchema]


@pytest.fixture
def migrated_schema(db_url: str) -> CheckSchema:
    """``check(tables)``: the differences of ``tables`` (and their indexes) and the current heads.

    Other bounded contexts' tables are left out, so each migration test answers for its own.
    """

    def check(tables: Collection[str]) -> MigratedSchema:
        def ours(obj: object, name: str | None, type_: str, reflected: bool, compare_to: object) -> bool:
            table = name if type_ == "table" else getattr(getattr(obj, "table", None), "name", None)
            return table in tables

        with get_engine(db_url).connect() as connection:
            context = MigrationContext.configure(connection, opts={"include_object": ours})
            return MigratedSchema(compare_metadata(context, Base.metadata), context.get_current_heads())

    return check
