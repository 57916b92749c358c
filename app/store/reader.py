"""The read path's database handle: SQLAlchemy Core statements, compiled once per shape.

Building and compiling a statement costs more than running it on this data, so each query
shape (which filters are present, which sort) is compiled once for the engine's dialect and then
executed as plain SQL. On SQLite the queries are sub-millisecond reads of a local file and run
on the event loop (a thread hop would cost more than the query); on PostgreSQL they run in the
thread pool, since they wait on the network.
"""

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import date
from typing import Any, Concatenate, ParamSpec, TypeVar

import anyio.to_thread
from sqlalchemy import Engine
from sqlalchemy.sql import Select

from app.store.engines import is_sqlite

P = ParamSpec("P")
R = TypeVar("R")


@dataclass(frozen=True)
class Compiled:
    """A statement as the driver takes it: SQL text, parameter order, literal values."""

    sql: str
    names: tuple[str, ...] | None  # positional drivers (SQLite); None for named (psycopg)
    defaults: dict[str, Any]


class Reader:
    """Runs read-only statements on one engine."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.inline = is_sqlite(str(engine.url))
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

    def rows(
        self, key: Hashable, build: Callable[[], Select[Any]], params: dict[str, Any] | None = None
    ) -> list[tuple[Any, ...]]:
        """All rows of the statement that key names (built on first use)."""
        compiled = self._sql(key, build)
        values = dict(compiled.defaults)
        for name, value in (params or {}).items():
            values[name] = value.isoformat() if isinstance(value, date) else value
        names = compiled.names
        args: Any = tuple(values[n] for n in names) if names is not None else values
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.exec_driver_sql(compiled.sql, args).all()]

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
        """Call a query function with this reader, on the loop (SQLite) or a worker thread."""
        if self.inline:
            return fn(self, *args, **kwargs)
        return await anyio.to_thread.run_sync(lambda: fn(self, *args, **kwargs))
