"""The read path's database handle: SQLAlchemy Core statements, compiled once per shape.

Building and compiling a statement costs more than running it on this data, so each query
shape (which filters are present, which sort) is compiled once for the engine's dialect and then
executed as plain SQL. On SQLite the queries are sub-millisecond reads of a local file and run
on the event loop (a thread hop would cost more than the query); on PostgreSQL they run in the
thread pool, since they wait on the network.

Inside `snapshot()` (one per request, opened by the HTTP cache layer) every read of a request
goes through one connection: on PostgreSQL one REPEATABLE READ transaction, on SQLite one open
file (a reseed replaces the file, never its content). Its first statement reads the dataset
version, so the version a response is labelled with and the rows it holds come from one
snapshot. A database that cannot be read raises `DatasetUnavailable` (the API answers 503).
"""

import logging
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager, suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.sql import Select

from app.config import DATABASE_TIMEOUT, PG_MAX_OVERFLOW, PG_POOL_SIZE
from app.store.engines import is_sqlite
from app.store.faults import FaultLog
from app.store.threads import ThreadBound, Unanswered

P = ParamSpec("P")
R = TypeVar("R")
log = logging.getLogger("app.store")

VERSION_SQL = "SELECT value FROM dataset_info WHERE key = 'version'"
VERSION_KEY = "zhuzhou_facts.version"  # where an SQLite connection remembers its file's version
# PostgreSQL SQLSTATEs that mean "this database is not (yet) the one we serve": no such table,
# column or schema, or no privilege on it (a table a migration added before the reader role was
# granted it). Other programming errors are bugs and stay 500s.
MISSING_SCHEMA = frozenset({"42P01", "42703", "3F000", "42501"})


class DatasetUnavailable(RuntimeError):
    """The database cannot be read now: missing, unreadable, corrupt, unreachable, not migrated."""


def unavailable(exc: BaseException) -> bool:
    """Whether a database error means the dataset cannot be read (rather than a bug)."""
    if isinstance(exc, sa_exc.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError:
        return True  # read through the driver itself (Reader._execute)
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError):
        return True
    if type(exc) is sa_exc.DatabaseError:  # SQLite: "file is not a database", "malformed"
        return True
    if isinstance(exc, sa_exc.ProgrammingError):
        return getattr(exc.orig, "sqlstate", None) in MISSING_SCHEMA
    return False


@dataclass(frozen=True)
class Compiled:
    """A statement as the driver takes it: SQL text, parameter order, literal values."""

    sql: str
    names: tuple[str, ...] | None  # positional drivers (SQLite); None for named (psycopg)
    defaults: dict[str, Any]


@dataclass
class Snapshot:
    """The reads of one request: the reader and connection they use, and the version it holds.

    On PostgreSQL its reads run in worker threads, one at a time (`lock`), and they and the
    closing of its connection are waited for until one `deadline`; a read given up on
    (`abandoned`) may still hold the connection, which its own thread then discards as it ends,
    never returning it to the pool as healthy.
    """

    reader: "Reader | None" = None
    conn: Connection | None = None
    version: str | None = None
    bound: ThreadBound | None = None  # PostgreSQL: what runs its threads
    deadline: float | None = None  # time.monotonic() by which the request is answered
    abandoned: bool = False
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


_SNAPSHOT: ContextVar[Snapshot | None] = ContextVar("zhuzhou_facts_snapshot", default=None)


@asynccontextmanager
async def snapshot() -> AsyncIterator[Snapshot]:
    """Make every read inside share one connection and snapshot (opened by the first read).

    On PostgreSQL closing the connection waits only for what is left of the request's deadline
    (the first read sets it): past it, the closing goes on in the background, so a hung server
    holds a request DATABASE_TIMEOUT in all, its reads and its ROLLBACK together.
    """
    current = Snapshot()
    token = _SNAPSHOT.set(current)
    try:
        yield current
    finally:
        _SNAPSHOT.reset(token)
        if current.bound is None:  # SQLite, on the loop (or nothing was read)
            if current.conn is not None:
                _close(current.conn)
        else:
            try:
                await current.bound.call(lambda: _release(current), current.deadline, cleanup=True)
            except Unanswered:
                log.debug("closing a request's connection is left to the background")


def _release(pinned: Snapshot) -> None:
    """Close a snapshot's connection (discard it if a read was given up on): no read may use
    the snapshot afterwards. A read still holding it was given up on: its own thread calls this
    again as it ends (`Reader.run`'s on_abandon), so nobody waits here for a hung server."""
    if not pinned.lock.acquire(blocking=False):
        return
    try:
        conn, pinned.conn, pinned.closed = pinned.conn, None, True
    finally:
        pinned.lock.release()
    if conn is None:
        return
    if pinned.abandoned:
        with suppress(sa_exc.SQLAlchemyError):
            conn.invalidate()
    _close(conn)


def _close(conn: Connection) -> None:
    with suppress(sa_exc.DBAPIError):  # a broken connection is discarded by the pool anyway
        conn.close()


class Reader:
    """Runs read-only statements on one engine."""

    def __init__(
        self, engine: Engine, faults: FaultLog | None = None, timeout: float = DATABASE_TIMEOUT
    ) -> None:
        self.engine = engine
        self.inline = is_sqlite(str(engine.url))
        self.faults = faults  # told of every failure, and of successes during a fault episode
        # PostgreSQL: a request's reads answer within timeout; threads left waiting on a server
        # that never answered are at most as many as the pool's connections.
        self.bound = ThreadBound(timeout, PG_POOL_SIZE + PG_MAX_OVERFLOW)
        self._compiled: dict[Hashable, Compiled] = {}

    def _sql(self, key: Hashable, build: Callable[[], Select[Any]]) -> "Compiled":
        found = self._compiled.get(key)
        if found is None:
            compiled = build().compile(dialect=self.engine.dialect)
            positional = self.engine.dialect.positional
            names = tuple(compiled.positiontup or ()) if positional else None
            # Literals in a statement (e.g. source_type == "metric") become anonymous binds
            # with their value; named bindparam()s have none and come from the caller.
            defaults = {k: v for k, v in compiled.params.items() if v is not None}
            found = Compiled(compiled.string, names, defaults)
            self._compiled[key] = found
        return found

    def _args(self, compiled: Compiled, params: dict[str, Any] | None) -> Any:
        values = dict(compiled.defaults)
        for name, value in (params or {}).items():
            values[name] = value.isoformat() if isinstance(value, date) else value
        names = compiled.names
        return tuple(values[n] for n in names) if names is not None else values

    def _begin(self, pinned: Snapshot) -> Connection:
        """Open the request's connection and read the version as its first statement.

        An SQLite file's content never changes (a reseed renames a new file over it, and an open
        connection keeps reading the one it opened), so on SQLite the version is read once per
        pooled connection and remembered with it.
        """
        conn = self.engine.connect()
        try:
            if not self.inline:
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            info = conn.connection.info
            if self.inline and VERSION_KEY in info:
                version = info[VERSION_KEY]
            else:
                found = self._execute(conn, VERSION_SQL, ())
                version = None if not found else str(found[0][0])
                if self.inline:
                    info[VERSION_KEY] = version
        except BaseException:
            _close(conn)
            raise
        pinned.reader, pinned.conn, pinned.version = self, conn, version
        return conn

    def rows(
        self, key: Hashable, build: Callable[[], Select[Any]], params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """All rows of the statement that key names (built on first use)."""
        compiled = self._sql(key, build)
        args = self._args(compiled, params)
        pinned = _SNAPSHOT.get()
        try:
            if pinned is not None and pinned.reader in (None, self):
                conn = pinned.conn or self._begin(pinned)
                found = self._execute(conn, compiled.sql, args)
            else:
                with self.engine.connect() as conn:
                    found = self._execute(conn, compiled.sql, args)
        except (sa_exc.DBAPIError, sa_exc.TimeoutError, sqlite3.Error) as exc:
            if not unavailable(exc):
                raise
            if self.faults is not None:
                self.faults.failed(exc)
            raise DatasetUnavailable(str(getattr(exc, "orig", None) or exc).strip()) from exc
        faults = self.faults
        if faults is not None and faults.fault is not None:
            faults.read_ok()
        return found

    def _execute(self, conn: Connection, sql: str, args: Any) -> list[tuple[Any, ...]]:
        """Run compiled SQL: on SQLite straight on the driver's connection (SQLAlchemy's
        execution context costs more than these reads, bench/request_profile.md)."""
        if self.inline:
            driver = conn.connection.driver_connection
            assert driver is not None
            rows: list[tuple[Any, ...]] = driver.execute(sql, args).fetchall()
            return rows
        return [tuple(r) for r in conn.exec_driver_sql(sql, args).all()]

    def scalar(
        self, key: Hashable, build: Callable[[], Select[Any]], params: dict[str, Any] | None = None
    ) -> Any:
        """The first column of the first row, or None."""
        found = self.rows(key, build, params)
        return found[0][0] if found else None

    def text(
        self, key: Hashable, build: Callable[[], Select[Any]], params: dict[str, Any] | None = None
    ) -> str | None:
        """The first column of the first row as text, or None."""
        value = self.scalar(key, build, params)
        return None if value is None else str(value)

    async def run(
        self, fn: Callable[Concatenate["Reader", P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Call a query function with this reader: on the loop (SQLite), or in a worker thread
        waited for until the request's deadline (PostgreSQL; then DatasetUnavailable)."""
        if self.inline:
            return fn(self, *args, **kwargs)
        pinned = _SNAPSHOT.get()
        mine = pinned if pinned is not None and pinned.reader in (None, self) else None
        deadline = None
        if mine is not None:
            mine.bound = self.bound
            if mine.deadline is None:
                mine.deadline = time.monotonic() + self.bound.timeout
            deadline = mine.deadline

        def call() -> R:
            if mine is None:
                return fn(self, *args, **kwargs)
            return _in_snapshot(mine, lambda: fn(self, *args, **kwargs))

        def discard() -> None:  # in the thread of a read given up on, once it ends
            assert mine is not None
            mine.abandoned = True
            _release(mine)

        try:
            return await self.bound.call(call, deadline, discard if mine is not None else None)
        except Unanswered as exc:
            if mine is not None:
                mine.abandoned = True
            if self.faults is not None:
                self.faults.failed(exc)
            raise DatasetUnavailable(str(exc)) from exc


def _in_snapshot(pinned: Snapshot, fn: Callable[[], R]) -> R:
    """fn() holding the snapshot's connection (in a worker thread), unless it is closed."""
    with pinned.lock:
        if pinned.closed:
            raise Unanswered("the request was given up on before this read began")
        return fn()
