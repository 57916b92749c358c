"""The search query: served by the FTS5 indexes, ranked and counted in SQL, paged there."""

from typing import Any

import pytest
from sqlalchemy import text

from app.models import SearchHit
from app.store.engines import readonly_engine, writable_engine
from app.store.reader import Reader
from app.store.search import search

Executed = list[tuple[str, Any]]


def _searching(url: str) -> tuple[Reader, Executed]:
    """A reader on url, and the list every statement it runs is appended to (at the one place
    a Reader runs SQL, since on SQLite it goes straight to the driver)."""
    reader = Reader(readonly_engine(url))
    executed: Executed = []
    execute = reader._execute

    def record(conn: Any, sql: str, args: Any) -> list[tuple[Any, ...]]:
        executed.append((sql, args))
        return execute(conn, sql, args)

    reader._execute = record  # type: ignore[method-assign]
    return reader, executed


def _plan(url: str, sql: str, params: Any) -> str:
    engine = readonly_engine(url)
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, params).all()
    engine.dispose()
    return "\n".join(str(r[-1]) for r in rows)


@pytest.mark.parametrize(
    ("q", "index"), [("轨道", "search_bigram"), ("轨道交通", "search_trigram")]
)
def test_search_reads_the_index_and_only_the_rows_it_finds(
    seeded_db: tuple[str, object], q: str, index: str
) -> None:
    url, _ = seeded_db
    reader, executed = _searching(url)
    found = search(reader, q, 5, 0)
    past_the_end = search(reader, q, 5, 500)
    assert found.total == past_the_end.total > 5
    assert len(executed) == 3  # the page, the page past the end, then its count
    for sql, params in executed:
        plan = _plan(url, sql, params)
        assert f"SCAN {index} VIRTUAL TABLE INDEX" in plan, plan
        assert "SEARCH search_term USING INTEGER PRIMARY KEY" in plan, plan
        assert "SCAN search_term" not in plan and "SCAN search_entry" not in plan, plan


def test_a_page_is_the_slice_of_the_whole_ranking(seeded_db: tuple[str, object]) -> None:
    url, _ = seeded_db
    reader = Reader(readonly_engine(url))
    everything = search(reader, "株洲", 500, 0)
    assert everything.total == len(everything.hits) > 20
    for offset in (0, 7, 20):
        page = search(reader, "株洲", 7, offset)
        assert page.hits == everything.hits[offset : offset + 7]
        assert page.total == everything.total


def test_the_fts_indexes_hold_exactly_the_stored_terms(seeded_db: tuple[str, object]) -> None:
    url, _ = seeded_db
    engine = writable_engine(url)  # integrity-check is a command, written as an INSERT
    with engine.begin() as conn:
        for table in ("search_trigram", "search_bigram"):
            conn.execute(text(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)"))
        terms = conn.execute(text("SELECT count(*) FROM search_term")).scalar_one()
    engine.dispose()
    assert terms > 1000  # the check fails ("malformed") when a term is missing from an index


@pytest.mark.parametrize("q", ["株洲", "rail", "GDP"])
def test_a_hit_is_exactly_the_json_of_its_public_model(
    seeded_db: tuple[str, object], q: str
) -> None:
    url, _ = seeded_db
    hits = search(Reader(readonly_engine(url)), q, 500, 0).hits
    assert hits
    for hit in hits:
        assert SearchHit.model_validate(hit).model_dump(mode="json") == hit
        assert list(hit) == list(SearchHit.model_fields)
