"""The request path's SQLite engine cannot write anything, anywhere: not the dataset, not another
file through ATTACH or VACUUM INTO, not a temporary table; its guards cannot be switched off."""

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import DatabaseError

from app.dataset.load import SeedResult
from app.store.engines import readonly_engine, sqlite_path
from tests.api_helpers import file_digest

ATTEMPTS = {
    "attach": "ATTACH DATABASE '{dir}/other.db' AS other",
    "vacuum into": "VACUUM INTO '{dir}/copy.db'",
    "create table": "CREATE TABLE stolen (x)",
    "create temp table": "CREATE TEMP TABLE scratch (x)",
    "create temp view": "CREATE TEMP VIEW v AS SELECT 1",
    "insert": "INSERT INTO dataset_info (key, value) VALUES ('x', 'y')",
    "update": "UPDATE metric SET value = 0",
    "delete": "DELETE FROM metric",
    "drop": "DROP TABLE metric",
    "query_only off": "PRAGMA query_only = OFF",
    "writable_schema": "PRAGMA writable_schema = ON",
    "journal_mode": "PRAGMA journal_mode = WAL",
    "user_version": "PRAGMA user_version = 7",
    "reindex": "REINDEX",
    "analyze": "ANALYZE",
    "vacuum": "VACUUM",
    "begin immediate": "BEGIN IMMEDIATE",
    "update sqlite_master": "UPDATE sqlite_master SET sql = '' WHERE name = 'metric'",
    "rebuild search index": "INSERT INTO search_trigram(search_trigram) VALUES ('rebuild')",
    "delete search terms": "DELETE FROM search_term",
}


@pytest.fixture(scope="module")
def app_engine(client: TestClient) -> Engine:
    """The engine the running app reads with (the shared seeded database)."""
    engine: Engine = client.app.state.dataset.engine  # type: ignore[attr-defined]
    return engine


@pytest.mark.parametrize("name", list(ATTEMPTS))
def test_the_apps_own_engine_refuses_every_write(
    app_engine: Engine, seeded_db: tuple[str, SeedResult], tmp_path: Path, name: str
) -> None:
    path = sqlite_path(seeded_db[0])
    before = file_digest(path)
    with app_engine.connect() as conn, pytest.raises(DatabaseError):
        conn.execute(text(ATTEMPTS[name].format(dir=tmp_path)))
    assert list(tmp_path.iterdir()) == []  # no file was made beside it
    assert file_digest(path) == before


def test_attach_then_create_fails_at_the_first_step_even_on_a_raw_connection(
    app_engine: Engine, tmp_path: Path
) -> None:
    raw = app_engine.raw_connection()
    try:
        cursor = raw.cursor()
        with pytest.raises(sqlite3.DatabaseError):
            cursor.execute(f"ATTACH DATABASE '{tmp_path}/other.db' AS other")
        with pytest.raises(sqlite3.DatabaseError):
            cursor.execute("CREATE TABLE other.t (x)")
        assert cursor.execute("SELECT count(*) FROM metric").fetchone()[0] > 0
    finally:
        raw.close()
    assert list(tmp_path.iterdir()) == []


def test_reads_still_work_and_readiness_can_run_its_integrity_probe(
    app_engine: Engine, client: TestClient
) -> None:
    with app_engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM metric")).scalar_one() > 0
        assert conn.execute(text("PRAGMA quick_check")).scalar_one() == "ok"
        with_cte = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3) "
        assert conn.execute(text(with_cte + "SELECT sum(i) FROM n")).scalar_one() == 6
        # Both FTS5 search indexes open and answer (their constructors pass the authorizer).
        for table, phrase in (("search_trigram", "轨道交"), ("search_bigram", "株洲")):
            found = f"SELECT count(*) FROM {table} WHERE {table} MATCH :q"
            assert conn.execute(text(found), {"q": f'"{phrase}"'}).scalar_one() > 0
    assert client.get("/readyz").status_code == 200


def test_a_fresh_readonly_engine_is_guarded_from_its_first_connection(
    seeded_db: tuple[str, SeedResult], tmp_path: Path
) -> None:
    engine = readonly_engine(seeded_db[0])
    try:
        with engine.connect() as conn, pytest.raises(DatabaseError, match=r"authoriz|max 0"):
            conn.execute(text(f"VACUUM INTO '{tmp_path}/copy.db'"))
    finally:
        engine.dispose()
    assert not (tmp_path / "copy.db").exists()
