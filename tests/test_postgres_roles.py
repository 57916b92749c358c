"""PostgreSQL is served with a role that may only SELECT: the seed command makes it so, and a
write fails even after the transaction is switched to READ WRITE."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from app.cli import main
from app.dataset.build import BuiltDataset
from app.dataset.load import write_dataset
from app.store.engines import readonly_engine
from tests.postgres_helpers import admin_url, drop_role, fresh_database, with_user

pytestmark = pytest.mark.postgres

WRITES = {
    "insert": "INSERT INTO dataset_info (key, value) VALUES ('x', 'y')",
    "update": "UPDATE metric SET value = 0",
    "delete": "DELETE FROM metric",
    "truncate": "TRUNCATE metric CASCADE",
    "drop": "DROP TABLE metric CASCADE",
    "alter": "ALTER TABLE metric ADD COLUMN stolen text",
    "create table": "CREATE TABLE stolen (x int)",
    "create index": "CREATE INDEX stolen ON metric (value)",
    "comment": "COMMENT ON TABLE metric IS 'stolen'",
    "create temporary table": "CREATE TEMPORARY TABLE stolen (x int)",
    "create schema": "CREATE SCHEMA stolen",
}
SWITCHES = {
    "set transaction read write": ["SET TRANSACTION READ WRITE"],
    "set session read write": ["SET default_transaction_read_only = off", "COMMIT", "BEGIN"],
    "begin read write": ["COMMIT", "BEGIN READ WRITE"],
}


@pytest.fixture(scope="module")
def role() -> Iterator[str]:
    admin_url()  # skips (or fails under CI) before anything is made when there is no server
    name = f"zf_reader_{secrets.token_hex(4)}"
    yield name
    drop_role(name)


@pytest.fixture(scope="module")
def database(role: str) -> Iterator[str]:
    """A database seeded by the seed command with --reader-role; yields the owner's URL."""
    with fresh_database("zf_roles") as url:
        assert main(["seed", "--database-url", url, "--reader-role", role]) == 0
        yield url


@pytest.fixture(scope="module")
def seeded(database: str, role: str) -> str:
    """The reader's URL of that database."""
    return with_user(database, role)


@pytest.mark.parametrize("switch", list(SWITCHES))
@pytest.mark.parametrize("write", list(WRITES))
def test_the_reader_role_cannot_write_even_in_a_read_write_transaction(
    seeded: str, switch: str, write: str
) -> None:
    engine = create_engine(seeded)  # a plain engine: only the role's privileges stand in the way
    try:
        with engine.connect() as conn:
            for statement in SWITCHES[switch]:
                conn.execute(text(statement))
            assert conn.execute(text("SHOW transaction_read_only")).scalar() == "off"
            with pytest.raises(DBAPIError, match=r"permission denied|must be owner"):
                conn.execute(text(WRITES[write]))
    finally:
        engine.dispose()


def test_the_reader_role_reads_everything_the_api_needs(seeded: str, role: str) -> None:
    engine = readonly_engine(seeded)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("SELECT current_user")).scalar() == role
            tables = conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            ).scalars()
            for table in tables:
                conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar()
            # Its sessions start read-only even without the engine's option.
            assert conn.execute(text("SHOW default_transaction_read_only")).scalar() == "on"
    finally:
        engine.dispose()


def test_a_reseed_keeps_the_grants_and_the_role_only_gains_select(
    database: str, role: str, built: BuiltDataset
) -> None:
    write_dataset(database, built, role)  # twice with the role: idempotent
    engine = create_engine(database)
    try:
        with engine.connect() as conn:
            privileges = conn.execute(
                text(
                    "SELECT DISTINCT privilege_type FROM information_schema.role_table_grants "
                    "WHERE grantee = :r"
                ),
                {"r": role},
            ).scalars()
            assert set(privileges) == {"SELECT"}
    finally:
        engine.dispose()


def test_the_seed_command_refuses_a_reader_role_for_sqlite(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'x.sqlite3'}"
    assert main(["seed", "--database-url", url, "--reader-role", "reader"]) == 2
    assert "PostgreSQL" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()


@pytest.fixture
def owner() -> Iterator[str]:
    """A role that may log in and own a database, and nothing more."""
    name = f"zf_owner_{secrets.token_hex(4)}"
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{name}" LOGIN'))
    engine.dispose()
    yield name
    drop_role(name)


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    with engine.connect() as conn:
        found = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        )
        names = sorted(r[0] for r in found)
    engine.dispose()
    return names


def test_an_owner_that_may_not_make_roles_is_told_so_before_anything_is_written(
    owner: str, capsys: pytest.CaptureFixture[str]
) -> None:
    reader = f"zf_reader_{secrets.token_hex(4)}"
    with fresh_database("zf_owner", f'OWNER "{owner}"') as url:
        mine = with_user(url, owner)
        assert main(["seed", "--database-url", mine, "--reader-role", reader]) == 1
        err = capsys.readouterr().err
        assert "CREATEROLE" in err and "nothing was written" in err and "Traceback" not in err
        assert _tables(url) == []  # not even migrated
        # Given CREATEROLE, the same command works and makes the reader.
        engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(f'ALTER ROLE "{owner}" CREATEROLE'))
        engine.dispose()
        try:
            assert main(["seed", "--database-url", mine, "--reader-role", reader]) == 0
            assert "metric" in _tables(url)
        finally:
            engine = create_engine(url)
            with engine.begin() as conn:  # its grants, before the role can go
                conn.execute(text(f'DROP OWNED BY "{reader}"'))
            engine.dispose()
            drop_role(reader)


def test_a_statement_the_database_refuses_is_an_error_message_not_a_traceback(
    owner: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with fresh_database("zf_refused") as url:  # owned by the admin: the owner may not create
        assert main(["seed", "--database-url", with_user(url, owner)]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: the database refused the seed: ") and "Traceback" not in err
        assert _tables(url) == []


# A reader role that could do more than SELECT: the setup (as the admin, in the database, which
# is seeded already) makes role {r} so; {admin} is the seeding user, {db} the database.
TOO_MIGHTY = {
    "the seeding user": ("{admin}", [], "is the role seeding it"),
    "the database owner": ("{r}", ['ALTER DATABASE "{db}" OWNER TO "{r}"'], "owner of database"),
    "the schema owner": ("{r}", ['ALTER SCHEMA public OWNER TO "{r}"'], "owner of schema public"),
    "a table owner": ("{r}", ['ALTER TABLE metric OWNER TO "{r}"'], "is the owner of metric"),
    "a superuser": ("{r}", ['ALTER ROLE "{r}" SUPERUSER'], "has SUPERUSER"),
    "createrole": ("{r}", ['ALTER ROLE "{r}" CREATEROLE'], "has CREATEROLE"),
    "createdb": ("{r}", ['ALTER ROLE "{r}" CREATEDB'], "has CREATEDB"),
    "bypassrls": ("{r}", ['ALTER ROLE "{r}" BYPASSRLS'], "has BYPASSRLS"),
    "a member of the owner": ("{r}", ['GRANT "{admin}" TO "{r}"'], "is a member of '{admin}'"),
    "a group of the owner": ("{r}", ['GRANT "{r}" TO "{admin}"'], "has '{admin}' (the role"),
    "a predefined role": ("pg_write_all_data", [], "not start with pg_"),
    "a member of a predefined role": (
        "{r}",
        ['GRANT pg_write_all_data TO "{r}"'],
        "is a member of pg_write_all_data",
    ),
    "a member of any role": ("{r}", ['GRANT pg_read_all_stats TO "{r}"'], "pg_read_all_stats"),
    "create on the database": (
        "{r}",
        ['GRANT CREATE ON DATABASE "{db}" TO "{r}"'],
        "may CREATE schemas in database",
    ),
    "a schema of its own": ("{r}", ['CREATE SCHEMA side AUTHORIZATION "{r}"'], "owns schema side"),
    "a write on another table": (
        "{r}",
        ["CREATE TABLE side (x int)", 'GRANT INSERT ON side TO "{r}"'],
        "may INSERT public.side",
    ),
}


def _fingerprint(url: str) -> dict[str, object]:
    """What a seed could change in a database: tables and their rows, owners, grants, the
    dataset version, role settings, and which roles exist."""
    engine = create_engine(url)
    queries = {
        "tables": "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = 'public'",
        "grants": "SELECT grantee, table_name, privilege_type FROM "
        "information_schema.role_table_grants WHERE table_schema = 'public'",
        "schema": "SELECT nspowner, nspacl::text FROM pg_namespace WHERE nspname = 'public'",
        "settings": "SELECT setdatabase, setrole, setconfig::text FROM pg_db_role_setting",
        "roles": "SELECT rolname FROM pg_roles",
        "version": "SELECT value FROM dataset_info",
        "metrics": "SELECT id, value FROM metric",
    }
    try:
        with engine.connect() as conn:
            return {k: sorted(map(tuple, conn.execute(text(q)))) for k, q in queries.items()}
    finally:
        engine.dispose()


@pytest.mark.parametrize("kind", list(TOO_MIGHTY))
def test_a_reader_role_that_could_do_more_than_select_is_refused_and_nothing_changes(
    kind: str, built: BuiltDataset, capsys: pytest.CaptureFixture[str]
) -> None:
    name, setup, reason = TOO_MIGHTY[kind]
    r = f"zf_mighty_{secrets.token_hex(4)}"
    try:
        with fresh_database("zf_mighty") as url:
            write_dataset(url, built)
            names = {"r": r, "admin": make_url(url).username, "db": make_url(url).database}
            engine = create_engine(url, isolation_level="AUTOCOMMIT")
            with engine.connect() as conn:
                conn.execute(text(f'CREATE ROLE "{r}" LOGIN'))
                for statement in setup:
                    conn.execute(text(statement.format(**names)))
            engine.dispose()
            before = _fingerprint(url)
            role = name.format(**names)
            assert main(["seed", "--database-url", url, "--reader-role", role]) == 1
            err = capsys.readouterr().err
            assert reason.format(**names) in err, err
            assert "nothing was written" in err and "Traceback" not in err
            assert _fingerprint(url) == before
    finally:
        drop_role(r)  # after the database, which it may own


def test_an_existing_plain_role_is_accepted_and_may_only_select(built: BuiltDataset) -> None:
    r = f"zf_plain_{secrets.token_hex(4)}"
    engine = create_engine(admin_url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE ROLE "{r}" LOGIN'))
    engine.dispose()
    try:
        with fresh_database("zf_plain") as url:
            assert main(["seed", "--database-url", url, "--reader-role", r]) == 0
            reader = create_engine(with_user(url, r))
            try:
                with reader.connect() as conn:
                    conn.execute(text("SET TRANSACTION READ WRITE"))
                    assert conn.execute(text("SELECT count(*) FROM metric")).scalar()
                    with pytest.raises(DBAPIError, match="permission denied"):
                        conn.execute(text("DELETE FROM metric"))
            finally:
                reader.dispose()
            owner = create_engine(url)
            with owner.begin() as conn:  # its grants, before the role can go
                conn.execute(text(f'DROP OWNED BY "{r}"'))
            owner.dispose()
    finally:
        drop_role(r)
