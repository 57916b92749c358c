"""One search across metrics, events, chains and entities, ranked and paged in SQL.

A record matches when the normalised query (app.store.search_text) is a substring of one of
its search terms: its names, expression, quote or id, or the name of a record it links to. Only
the terms the index finds are read: on SQLite the FTS5 trigram table (3+ characters, a phrase
query is an exact substring match) or the bigram table (2 characters: one token); on PostgreSQL
a GIN index over the bigrams (2 characters) or over the trigrams (every trigram of the query,
then LIKE).

Score, in thousandths: 1000 × tier (4 name, 3 expression, 2 quote, 1 id, 0 a linked name) plus
1000 when the term is the query, else ⌊1000 × words(query) / (words(term) + 1)⌋ (a share below
1000, larger the more of the term the query covers); a record scores its best term. So 5.0 is
"its own name is the query", and each tier's scores lie above the whole tier below it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, bindparam, case, func, literal_column, over, text
from sqlalchemy.sql import Select
from sqlmodel import col, select

from app.store.paging import like_pattern
from app.store.reader import Reader
from app.store.search_text import bigrams, normalise, trigrams, units
from app.store.tables import SearchEntry, SearchTerm

TRIGRAM, BIGRAM = "search_trigram", "search_bigram"  # SQLite's FTS5 tables (migration 0006)
FTS_TABLES = (TRIGRAM, BIGRAM)
SCALE = 1000  # scores are computed and sorted in thousandths: integers, alike on both engines


@dataclass(frozen=True)
class Found:
    """One page of hits, each as SearchHit's JSON (built directly: no validation per request),
    and how many records match in all."""

    hits: list[dict[str, Any]]
    total: int


def _fts(table: str) -> ColumnElement[bool]:
    """Terms whose key the FTS5 table finds for the :match phrase."""
    keys: Select[Any] = select(literal_column("rowid")).select_from(text(table))
    return col(SearchTerm.key).in_(keys.where(text(f"{table} MATCH :match")))


def _bigram_gin() -> ColumnElement[bool]:
    """Terms holding the bigram in :grams (a GIN index; exact, as a query of 2 is its bigram)."""
    # The separator is a literal, so the expression is the indexed one.
    grams = func.string_to_array(col(SearchTerm.grams), literal_column("' '"))
    return grams.op("@>")(bindparam("grams"))


def _trigram_gin() -> ColumnElement[bool]:
    """Terms holding every trigram of :grams (a GIN index), then truly holding :pattern."""
    held = func.search_trigrams(col(SearchTerm.text)).op("@>")(bindparam("grams"))
    return held & col(SearchTerm.text).like(bindparam("pattern"), escape="\\")


def _score() -> ColumnElement[int]:
    share = (bindparam("qunits", type_=Integer) * SCALE) // (col(SearchTerm.units) + 1)
    exact = case((col(SearchTerm.text) == bindparam("q"), SCALE), else_=share)
    return col(SearchTerm.tier) * SCALE + exact


def _page(where: Callable[[], ColumnElement[bool]]) -> Callable[[], Select[Any]]:
    def build() -> Select[Any]:
        best = (
            select(col(SearchTerm.entry).label("entry"), func.max(_score()).label("score"))
            .where(where())
            .group_by(col(SearchTerm.entry))
            .subquery("best")
        )
        ranked = (
            select(best.c.entry, best.c.score, over(func.count()).label("total"))
            .order_by(best.c.score.desc(), best.c.entry)
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
            .subquery("ranked")
        )
        shown: list[Any] = [
            SearchEntry.type,
            SearchEntry.id,
            SearchEntry.name_zh,
            SearchEntry.name_en,
            SearchEntry.quote,
            SearchEntry.url,
            ranked.c.score,
            ranked.c.total,
        ]
        page: Select[Any] = (
            select(*shown)
            .join_from(ranked, SearchEntry, col(SearchEntry.key) == ranked.c.entry)
            .order_by(ranked.c.score.desc(), ranked.c.entry)
        )
        return page

    return build


def _count(where: Callable[[], ColumnElement[bool]]) -> Callable[[], Select[Any]]:
    return lambda: select(func.count(func.distinct(col(SearchTerm.entry)))).where(where())


def search(db: Reader, q: str, limit: int, offset: int) -> Found:
    """The page asked for of the records matching q, best first (then by type and id)."""
    needle = normalise(q)
    if len(needle) < 2:
        return Found([], 0)
    params: dict[str, Any] = {"q": needle, "qunits": units(needle)}
    if db.engine.dialect.name == "sqlite":
        shape = BIGRAM if len(needle) == 2 else TRIGRAM
        params["match"] = '"' + needle.replace('"', '""') + '"'
        where: Callable[[], ColumnElement[bool]] = lambda: _fts(shape)  # noqa: E731
    elif len(needle) == 2:
        shape = BIGRAM
        params["grams"] = bigrams(needle)
        where = _bigram_gin
    else:
        shape = TRIGRAM
        params["grams"] = trigrams(needle)
        params["pattern"] = like_pattern(needle)
        where = _trigram_gin
    found = db.rows(("search", shape), _page(where), {**params, "limit": limit, "offset": offset})
    if found:
        total = int(found[0][7])
    elif offset == 0:
        total = 0
    else:  # past the last page: the page query had no row to carry the total
        total = int(db.scalar(("search-count", shape), _count(where), params) or 0)
    hits = [
        {
            "type": kind,
            "id": rid,
            "name": {"zh": zh, "en": en},
            "quote": quote,
            "score": score / SCALE,
            "url": url,
        }
        for kind, rid, zh, en, quote, url, score, _ in found
    ]
    return Found(hits, total)
