"""PostgreSQL for the tests: the server TEST_POSTGRES_URL names, a fresh database per module."""

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from tests.conftest import require_service


def admin_url() -> str:
    """The URL of the test server (as a superuser), from TEST_POSTGRES_URL alone (never
    DATABASE_URL: the tests create and drop databases and roles). Unset: a skip (a failure
    under CI=true). Set but unreachable: a failure, since PostgreSQL tests were asked for."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        require_service("no PostgreSQL: set TEST_POSTGRES_URL to run this (README, Run and test)")
    if not url.startswith("postgresql"):
        pytest.fail(f"TEST_POSTGRES_URL must be a postgresql:// URL, got {url!r}")
    url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        engine = create_engine(url)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
    except DBAPIError as exc:
        pytest.fail(f"TEST_POSTGRES_URL is set but PostgreSQL cannot be reached: {exc}")
    return url


def with_user(url: str, user: str) -> str:
    """The same server and database as another role (the test server trusts loopback)."""
    return make_url(url).set(username=user, password=None).render_as_string(hide_password=False)


@contextmanager
def fresh_database(prefix: str, options: str = "") -> Iterator[str]:
    """A new, empty database on the test server (CREATE DATABASE's options, e.g. a locale),
    dropped afterwards (with its connections)."""
    admin = admin_url()
    name = f"{prefix}_{secrets.token_hex(4)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" {options}'))
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()


def drop_role(role: str) -> None:
    """Remove a role the tests made (after the databases it had grants in are gone)."""
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
    engine.dispose()
