"""Engines: a writable one for seeding and migrations, a read-only one for the request path."""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.engine import make_url
from sqlmodel import create_engine


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


def writable_engine(url: str, **kwargs: Any) -> Engine:
    """An engine that may write: only the seed command and migrations use it."""
    if is_sqlite(url):
        engine = create_engine(url, connect_args={"check_same_thread": False}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def readonly_engine(url: str) -> Engine:
    """An engine that cannot write: SQLite mode=ro, PostgreSQL read-only transactions."""
    if is_sqlite(url):
        path = sqlite_path(url).resolve()
        ro_url = f"sqlite:///file:{path.as_posix()}?mode=ro&uri=true"
        return create_engine(ro_url, connect_args={"check_same_thread": False})
    return create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"options": "-c default_transaction_read_only=on"},
    )
