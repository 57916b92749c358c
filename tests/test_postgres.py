"""The same code on PostgreSQL: migrate, seed atomically, read through a read-only engine."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError

from app.config import Settings
from app.dataset.errors import DatasetError
from app.dataset.load import seed_database
from app.main import create_app
from app.store.engines import readonly_engine
from app.store.migrations import alembic_config, downgrade, upgrade
from app.store.reader import Reader
from app.store.search import search
from app.store.search_text import trigrams
from tests.conftest import SEED_DIR
from tests.postgres_helpers import fresh_database
from tests.test_api_search import QUERIES, RANKING
from tests.test_api_text_params import Q_PROBES, TEXT_ROUTES

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_url() -> Iterator[str]:
    """A fresh, empty database on the test server (tests/postgres_helpers.py), dropped after."""
    with fresh_database("zf_pg") as url:
        yield url


def _has_table(url: str, table: str) -> bool:
    engine = readonly_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT to_regclass(:t)"), {"t": table}).scalar()
    engine.dispose()
    return found is not None


def test_postgres_seeds_idempotently_and_serves_the_same_version(pg_url: str) -> None:
    first = seed_database(pg_url, SEED_DIR)
    second = seed_database(pg_url, SEED_DIR)
    assert first.version == second.version
    engine = readonly_engine(pg_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM dataset_info WHERE key='version'")).scalar()
        n = conn.execute(text("SELECT count(*) FROM metric")).scalar()
    engine.dispose()
    assert stored == first.version
    assert n == first.counts["metric"]


def test_postgres_readonly_engine_refuses_writes(pg_url: str) -> None:
    seed_database(pg_url, SEED_DIR)
    engine = readonly_engine(pg_url)
    with engine.connect() as conn, pytest.raises(DBAPIError, match="read-only"):
        conn.execute(text("DELETE FROM metric"))
    engine.dispose()


def test_postgres_bad_seed_keeps_the_old_content(pg_url: str, seed_copy: Path) -> None:
    good = seed_database(pg_url, SEED_DIR)
    (seed_copy / "indicators.toml").write_text("nonsense = 1\n", encoding="utf-8")
    with pytest.raises(DatasetError):
        seed_database(pg_url, seed_copy)
    engine = readonly_engine(pg_url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM dataset_info WHERE key='version'")).scalar()
    engine.dispose()
    assert stored == good.version


def test_postgres_downgrade_and_upgrade_round_trip(pg_url: str) -> None:
    upgrade(pg_url)
    assert _has_table(pg_url, "metric")
    downgrade(pg_url, "base")
    assert not _has_table(pg_url, "metric")
    assert not _has_table(pg_url, "industry_chain")
    upgrade(pg_url)
    assert _has_table(pg_url, "metric")


API_PATHS = [
    "/v1",
    "/v1/metrics?limit=500",
    "/v1/metrics?year=2020&sort=-value",
    "/v1/metrics?from=2016&to=2018-06&sort=-period",
    "/v1/metrics?q=GDP&kind=actual&unit=percent",
    "/v1/metrics?chain=rail-transit-equipment-cluster",
    "/v1/metrics/gdp-2021-q1-q3",
    "/v1/indicators/gdp-growth",
    "/v1/indicators?category=economy&format=csv",
    "/v1/timeline?from=2021&entity=zhuzhou",
    "/v1/industry-chains?kind=industry&q=轨道",
    "/v1/entities?type=person",
    "/v1/search?q=地区生产总值",
    "/v1/documents/zhuzhou-2021-11-09/text",
]
# Every list's `q` on the probes that engines fold differently on their own.
Q_PATHS = [
    f"{route}?{urlencode({'q': q, 'limit': 500})}" for route in TEXT_ROUTES for q in Q_PROBES
]


def test_postgres_serves_the_same_bytes_as_sqlite(pg_url: str, client: TestClient) -> None:
    seed_database(pg_url, SEED_DIR)
    with TestClient(create_app(Settings(database_url=pg_url, auto_seed=False))) as pg:
        assert pg.get("/readyz").status_code == 200
        for path in API_PATHS + Q_PATHS:
            ours, theirs = pg.get(path), client.get(path)
            assert ours.status_code == theirs.status_code == 200, path
            assert ours.content == theirs.content, path


UTF8_LOCALE = "TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"


@pytest.fixture(scope="module")
def utf8_url(pg_url: str) -> Iterator[str]:
    """A fresh database whose locale folds Unicode case (C.UTF-8), unlike the C-locale default."""
    try:
        with fresh_database("zf_utf8", UTF8_LOCALE) as url:
            yield url
    except DBAPIError as exc:
        if "C.UTF-8" not in str(exc):
            raise
        pytest.skip(f"no C.UTF-8 locale on this server: {exc}")


def test_postgres_in_a_utf8_locale_filters_q_as_sqlite_does(
    utf8_url: str, client: TestClient
) -> None:
    seed_database(utf8_url, SEED_DIR)
    with TestClient(create_app(Settings(database_url=utf8_url, auto_seed=False))) as pg:
        engine = readonly_engine(utf8_url)
        with engine.connect() as conn:
            ctype = conn.execute(text("SHOW lc_ctype")).scalar_one()
            folds = conn.execute(text("SELECT 'Ⅱ类' ILIKE 'ⅱ类'")).scalar_one()
        engine.dispose()
        assert ctype == "C.UTF-8" and folds  # a locale in which ILIKE would differ
        for path in Q_PATHS:
            ours, theirs = pg.get(path), client.get(path)
            assert ours.status_code == theirs.status_code == 200, path
            assert ours.content == theirs.content, path


# The text-parameter rule on both backends: the same status and the same bytes (NUL itself:
# tests/test_postgres_nul.py).
RULE_PATHS = [
    ("/v1/metrics?q=%20", 422),
    ("/v1/metrics?indicator=", 422),
    ("/v1/timeline?entity=a%00", 422),
    ("/v1/documents/zhuzhou-2021-11-09%00/text", 404),
    ("/v1/metrics?q=%E3%80%80GDP", 200),
    ("/v1/metrics?format=csv", 200),
    ("/v1/metrics?format=ndjson&kind=target", 200),
]


def test_postgres_answers_every_text_parameter_as_sqlite_does(
    pg_url: str, client: TestClient
) -> None:
    seed_database(pg_url, SEED_DIR)
    with TestClient(create_app(Settings(database_url=pg_url, auto_seed=False))) as pg:
        for path, status in RULE_PATHS:
            ours, theirs = pg.get(path), client.get(path)
            assert ours.status_code == theirs.status_code == status, path
            assert ours.content == theirs.content, path


# Every query of the search tests, and edge cases: shorter than two characters once normalised,
# nowhere in the data, ASCII quotes (the text has “”), LIKE's wildcards in the query.
NOTHING = {"a-", "不存在的词语", '"本土"', "a_b"}
SEARCHES = sorted({q for q, _, _ in RANKING} | set(QUERIES) | NOTHING | {"3%"})


def test_postgres_search_answers_byte_for_byte_as_sqlite(pg_url: str, client: TestClient) -> None:
    seed_database(pg_url, SEED_DIR)
    empty: set[str] = set()
    with TestClient(create_app(Settings(database_url=pg_url, auto_seed=False))) as pg:
        for q in SEARCHES:
            for extra in (
                {"limit": 500},
                {"limit": 3, "offset": 2},
                {"offset": 500},
                {"format": "csv"},
            ):
                params = {"q": q, **extra}
                ours, theirs = (
                    pg.get("/v1/search", params=params),
                    client.get("/v1/search", params=params),
                )
                assert ours.status_code == theirs.status_code == 200, params
                assert ours.content == theirs.content, params
            if theirs.headers["x-total-count"] == "0":
                empty.add(q)
    assert empty == NOTHING


@pytest.mark.parametrize(
    ("q", "index"),
    [
        ("轨道", "ix_search_term_grams"),
        ("轨道交通", "ix_search_term_trigrams"),
        ("new energy", "ix_search_term_trigrams"),
    ],
)
def test_postgres_search_is_served_by_a_gin_index(pg_url: str, q: str, index: str) -> None:
    seed_database(pg_url, SEED_DIR)
    engine = readonly_engine(pg_url)
    executed: list[tuple[str, Any]] = []

    def record(_c: Any, _cur: Any, sql: str, params: Any, _ctx: Any, _many: bool) -> None:
        executed.append((sql, params))

    event.listen(engine, "before_cursor_execute", record)
    assert search(Reader(engine), q, 5, 0).total > 0
    event.remove(engine, "before_cursor_execute", record)
    assert len(executed) == 1
    with engine.connect() as conn:
        # The table is tiny, so a scan of it (or of an index in entry order, for the GROUP BY)
        # costs nothing: leave the planner only bitmap scans, i.e. a GIN index with its query.
        conn.exec_driver_sql("SET enable_seqscan = off")
        conn.exec_driver_sql("SET enable_indexscan = off")
        sql, params = executed[0]
        plan = "\n".join(r[0] for r in conn.exec_driver_sql("EXPLAIN " + sql, params))
    engine.dispose()
    assert f"Bitmap Index Scan on {index}" in plan, plan


@pytest.mark.parametrize("sample", ["轨道交通装备", "new energy vehicles", "ab", "“3+3+2” 体系"])
def test_postgres_trigrams_are_the_ones_the_query_asks_for(pg_url: str, sample: str) -> None:
    upgrade(pg_url)
    engine = readonly_engine(pg_url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT search_trigrams(:t)"), {"t": sample}).scalar_one()
    engine.dispose()
    assert sorted(found) == trigrams(sample)


def test_postgres_alembic_check_reports_no_drift(pg_url: str) -> None:
    upgrade(pg_url)
    command.check(alembic_config(pg_url))
