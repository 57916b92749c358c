"""Engines: a writable one for seeding and migrations, a read-only one for the request path.

The read-only engine cannot write at the engine itself, not only because of how it is used:
SQLite connections open the file with `mode=ro`, set `query_only`, allow no attached databases
(which is what `ATTACH` and `VACUUM INTO` need), and install an authorizer that permits reading
and nothing else; PostgreSQL transactions are read-only by default, and the server should be
reached with a role that holds only SELECT (README, "Guarantees").
"""

import sqlite3
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine

from app.config import (
    DATABASE_TIMEOUT,
    PG_CONNECT_TIMEOUT,
    PG_KEEPALIVES_COUNT,
    PG_KEEPALIVES_IDLE,
    PG_KEEPALIVES_INTERVAL,
    PG_MAX_OVERFLOW,
    PG_POOL_SIZE,
)


def is_sqlite(url: str) -> bool:
    """Whether the URL names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    """The file of an SQLite URL (in-memory databases are not supported)."""
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ValueError(f"an SQLite DATABASE_URL must name a file, got {url!r}")
    return Path(database)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


# What a request-path statement may do: read tables, call functions, and run the pragmas that
# only report (the readiness probe's quick_check; the table lookups Alembic's revision check
# makes). Everything else (ATTACH, CREATE, INSERT, other pragmas...) is refused when prepared.
READ_ACTIONS = frozenset(
    {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION, sqlite3.SQLITE_RECURSIVE}
)
READ_PRAGMAS = frozenset(
    {"quick_check", "table_info", "table_xinfo", "index_list", "index_info", "data_version"}
)
# Opening an FTS5 table (the search indexes) declares its columns, which SQLite authorizes as
# an UPDATE of `sqlite_master`, and reads `PRAGMA data_version` (above). Letting that through
# writes nothing: SQLite refuses an UPDATE of `sqlite_master` itself without `writable_schema`,
# which this authorizer refuses, and the file is open read-only with `query_only` on.
SCHEMA_TABLE = "sqlite_master"


def _authorize(action: int, arg1: str | None, *_: str | None) -> int:
    if action in READ_ACTIONS or (action == sqlite3.SQLITE_PRAGMA and arg1 in READ_PRAGMAS):
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_UPDATE and arg1 == SCHEMA_TABLE:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def _sqlite_read_only(dbapi_conn: Any, _record: Any) -> None:
    conn: sqlite3.Connection = dbapi_conn
    conn.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    conn.execute("PRAGMA query_only=ON")
    conn.set_authorizer(_authorize)  # last: the pragma above is not a read


def writable_engine(url: str, **kwargs: Any) -> Engine:
    """An engine that may write: only the seed command and migrations use it."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def readonly_engine(url: str, timeout: float = DATABASE_TIMEOUT) -> Engine:
    """An engine that cannot write (see the module docstring); on PostgreSQL, timeout (seconds)
    bounds a checkout, a statement on the server and unacknowledged data on the socket."""
    if is_sqlite(url):
        path = sqlite_path(url).resolve()
        ro_url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
        # SQLite runs on the event loop: waiting for a pooled connection there would block the
        # loop that returns them, so the pool never makes a checkout wait (no overflow limit).
        # Nor does a read wait for a lock (timeout 0, not Python's 5 s busy wait): nothing of
        # ours writes the served file (a reseed renames a new one over it), so a lock on it is
        # another process's, of unknown length, and waiting would freeze every request, /livez
        # too. SQLITE_BUSY is answered at once as a 503 with Retry-After (reader.unavailable).
        engine = create_engine(
            ro_url,
            connect_args={"check_same_thread": False, "timeout": 0},
            pool_size=8,
            max_overflow=-1,
        )
        event.listen(engine, "connect", _sqlite_read_only)
        return engine
    # PostgreSQL runs in worker threads; a request holds one connection for its snapshot, so a
    # pool that is exhausted makes a request wait, at most pool_timeout, then answer 503; an
    # unreachable server is given up after connect_timeout, a vanished one by the keepalives
    # and tcp_user_timeout, a slow statement by the server's statement_timeout. A server that
    # is stopped but whose kernel still acknowledges TCP trips none of these: the reader's own
    # deadline covers it (app/store/threads.py).
    ms = max(1, round(timeout * 1000))
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_timeout=timeout,
        connect_args={
            "options": f"-c default_transaction_read_only=on -c statement_timeout={ms}",
            "connect_timeout": PG_CONNECT_TIMEOUT,
            "keepalives": 1,
            "keepalives_idle": PG_KEEPALIVES_IDLE,
            "keepalives_interval": PG_KEEPALIVES_INTERVAL,
            "keepalives_count": PG_KEEPALIVES_COUNT,
            "tcp_user_timeout": ms,
        },
    )
