"""Engine and session set-up, the unit of work, and schema migration at start-up."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Dialect, Engine, Select, Table, create_engine, event
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

try:
    import fcntl
except ImportError:  # not on POSIX: WriterTurns falls back to SQLite's own busy handler
    fcntl = None  # type: ignore[assignment]


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


#: Read connections each process keeps open per database for hot request paths.
MAX_KEPT_READ_CONNECTIONS = 8


class _KeptReadConnections:
    """Autocommit connections kept open for single-statement reads, lent to one user at a time.

    A pool checkout and return (events, reset, pre-ping on PostgreSQL) costs several times
    more than an indexed read on SQLite, and the credential check runs on every request, so
    these connections stay out of the pool: detached once, then lent from a free list. A
    connection that raised is closed rather than kept, so a broken one is replaced; when it
    raised because the server dropped it (a restart), the other free ones went with it and are
    closed too, so the next read opens a live one.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self._free: list[Connection] = []
        engine = get_engine(url)
        # An in-memory SQLite database lives in its pooled connection: never take that away.
        self._keep = not (engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:"))
        os.register_at_fork(after_in_child=self._forget)

    def _forget(self) -> None:
        # In a forked child the parent's connections are not ours to use.
        self._free = []

    def _discard_free(self) -> None:
        free, self._free = self._free, []
        for connection in free:
            _close_quietly(connection)

    @contextmanager
    def lend(self) -> Iterator[Connection]:
        """Lend a free connection (or a new one) for the ``with`` block."""
        if not self._keep:
            with get_engine(self.url).connect() as pooled:
                yield pooled
            return
        try:
            connection = self._free.pop()
        except IndexError:
            connection = get_engine(self.url).connect().execution_options(isolation_level="AUTOCOMMIT")
            connection.detach()
        try:
            yield connection
        except BaseException as error:
            if isinstance(error, DBAPIError) and error.connection_invalidated:
                self._discard_free()
            _close_quietly(connection)
            raise
        if len(self._free) < MAX_KEPT_READ_CONNECTIONS:
            self._free.append(connection)
        else:
            connection.close()


def _close_quietly(connection: Connection) -> None:
    """Close a connection that may already be dead (its error is not the one to report)."""
    with suppress(Exception):
        connection.close()


@cache
def _kept_read_connections(url: str) -> _KeptReadConnections:
    return _KeptReadConnections(url)


@contextmanager
def read_connection(url: str) -> Iterator[Connection]:
    """A connection in autocommit mode for the few reads of a hot request path.

    Each statement sees the latest committed data and no transaction is left open, which is
    what an authentication or consent check needs. Use :func:`unit_of_work` for anything that
    writes or must read one consistent snapshot across statements.
    """
    with _kept_read_connections(url).lend() as connection:
        yield connection


Read = TypeVar("Read")


def read_once(url: str, read: Callable[[Connection], Read]) -> Read:
    """``read(connection)`` on a kept read connection (see :func:`read_connection`).

    If the server dropped the connection (it restarted, or an operator ended idle sessions),
    the read runs once more on a new connection instead of failing the request. ``read`` must
    only read: on the autocommit connection nothing it did can be half-done, so a second run
    is harmless.
    """
    try:
        with read_connection(url) as connection:
            return read(connection)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
    with read_connection(url) as connection:
        return read(connection)


class WriterTurns:
    """Take turns, across server processes, to write to one SQLite file (no-op elsewhere).

    SQLite lets one writer in at a time and makes the others poll with growing sleeps (1, 2,
    5 … 100 ms), which under steady concurrent commits turns into long latency tails. Writers
    that take a turn here queue on a blocking ``flock`` instead, which the kernel hands over
    the moment it is released. Only frequent small commits (the audit group commit) need it;
    other writers still meet SQLite's own lock and wait as before.
    """

    def __init__(self, url: str) -> None:
        self.path: Path | None = None
        if fcntl is not None and url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            self.path = Path(url.removeprefix("sqlite:///").split("?")[0] + "-writers.lock")
        self._pid = 0
        self._fd = -1

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Hold the turn while the block runs."""
        if self.path is None:
            yield
            return
        if self._pid != os.getpid():  # a descriptor inherited through fork shares the parent's lock
            self._fd, self._pid = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600), os.getpid()
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)


class PreparedInsert:
    """A multi-row INSERT of a table's columns (all but an autoincrement key), run by the driver.

    The column list and the types' bind processors are looked up once per dialect; each call
    sends one ``INSERT … VALUES (…), (…)`` statement for all its rows. No statement object or
    result is built, and the driver releases the GIL once per call instead of once per row,
    which keeps a writer thread from queueing for the GIL while it holds the database's write
    lock. For append-only rows written on a hot path (audit events); everything else goes
    through the ORM or Core.
    """

    def __init__(self, table: Table) -> None:
        self.table = table
        self.columns = [c for c in table.columns if not (c.primary_key and c.autoincrement)]
        self._prepared: dict[str, tuple[str, str, list[Any]]] = {}

    def _prepare(self, dialect: Dialect) -> tuple[str, str, list[Any]]:
        found = self._prepared.get(dialect.name)
        if found is None:
            marker = {"qmark": "?", "format": "%s", "pyformat": "%s"}.get(dialect.paramstyle)
            if marker is None:
                raise ValueError(f"PreparedInsert needs a ? or %s paramstyle, not {dialect.paramstyle}")
            quote = dialect.identifier_preparer
            names = ", ".join(quote.quote(column.name) for column in self.columns)
            head = f"INSERT INTO {quote.format_table(self.table)} ({names}) VALUES "
            row = "(" + ", ".join([marker] * len(self.columns)) + ")"
            processors = [
                column.type.dialect_impl(dialect).bind_processor(dialect) for column in self.columns
            ]
            found = self._prepared[dialect.name] = (head, row, processors)
        return found

    def run(self, connection: Any, dialect: Dialect, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert ``rows`` (mappings of column key to value) in the connection's transaction."""
        if not rows:
            return
        head, row, processors = self._prepare(dialect)
        keys = [column.key for column in self.columns]
        parameters = [
            value if process is None else process(value)
            for values in rows
            for process, value in zip(processors, map(values.get, keys), strict=True)
        ]
        cursor = connection.cursor()
        try:
            cursor.execute(head + ", ".join([row] * len(rows)), parameters)
        finally:
            cursor.close()


class PreparedQuery:
    """A Core SELECT compiled once per dialect, run through the driver on a hot request path.

    Saves what :meth:`Connection.execute` spends per call on cache keys, execution contexts
    and result objects — several times the cost of an indexed read on SQLite. Parameters are
    the statement's ``bindparam`` names; rows come back as tuples with the columns' types
    applied (e.g. SQLite's text datetimes parsed), as Core would return them.
    """

    def __init__(self, statement: Select[*tuple[Any, ...]]) -> None:
        self.statement = statement
        self._prepared: dict[str, tuple[str, list[str] | None, list[Any]]] = {}

    def _prepare(self, dialect: Dialect) -> tuple[str, list[str] | None, list[Any]]:
        found = self._prepared.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect)
            processors = [
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in self.statement.selected_columns
            ]
            order = list(compiled.positiontup or ()) if compiled.positional else None
            found = self._prepared[dialect.name] = (str(compiled), order, processors)
        return found

    def rows(self, connection: Connection, **parameters: Any) -> list[tuple[Any, ...]]:
        """All rows of the query with ``parameters``, on ``connection`` (no transaction begun)."""
        dialect = connection.dialect
        sql, order, processors = self._prepare(dialect)
        arguments = parameters if order is None else [parameters[name] for name in order]
        driver = connection.connection.dbapi_connection
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, arguments)
            rows = cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            # Raised as Core would raise it, so callers can tell a dropped connection (see read_once).
            dropped = dialect.is_disconnect(error, driver, cursor)
            raise DBAPIError.instance(
                sql,
                arguments,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=dropped,
                dialect=dialect,
            ) from error
        finally:
            cursor.close()
        if not any(processors):
            return [tuple(row) for row in rows]
        return [
            tuple(
                value if process is None else process(value)
                for process, value in zip(processors, row, strict=True)
            )
            for row in rows
        ]


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
