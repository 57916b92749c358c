"""One ranked search across metrics, events, chains and entities."""

import re
from typing import Any, cast

from sqlalchemy import bindparam
from sqlmodel import col, select

from app.models import Bilingual, SearchHit
from app.store.paging import like_pattern
from app.store.reader import Reader
from app.store.tables import SearchEntry
from app.vocabulary import RecordType, SearchableType

# Where a match counts most: a name is worth more than a quote.
FIELD_WEIGHTS = {"name": 10.0, "as_written": 6.0, "quote": 3.0, "id": 2.0}
TYPE_ORDER: dict[str, int] = {
    RecordType.metric: 0,
    RecordType.industry_chain: 1,
    RecordType.event: 2,
    RecordType.entity: 3,
}


def _score(q: str, fields: dict[str, list[str]]) -> float:
    """Sum over fields: exact match 3x, prefix or whole word 2x, substring 1x, times weight."""
    needle = q.casefold()
    word = re.compile(rf"\b{re.escape(needle)}\b") if needle.isascii() else None
    total = 0.0
    for field, values in fields.items():
        best = 0.0
        for value in values:
            hay = value.casefold()
            if needle not in hay:
                continue
            if hay == needle:
                best = max(best, 3.0)
            elif hay.startswith(needle) or (word is not None and word.search(hay)):
                best = max(best, 2.0)
            else:
                best = max(best, 1.0)
        total += best * FIELD_WEIGHTS[field]
    return total


def search(db: Reader, q: str) -> list[SearchHit]:
    """Every matching record, best first (then by type and id)."""
    columns: list[Any] = [
        SearchEntry.type,
        SearchEntry.id,
        SearchEntry.name_zh,
        SearchEntry.name_en,
        SearchEntry.as_written,
        SearchEntry.quote,
        SearchEntry.url,
    ]
    found = db.rows(
        "search",
        lambda: select(*columns).where(col(SearchEntry.text).like(bindparam("q"), escape="\\")),
        {"q": like_pattern(q.casefold())},
    )
    hits: list[SearchHit] = []
    for kind, rid, zh, en, written, quote, url in found:
        fields = {"name": [zh, en], "quote": [quote], "id": [rid]}
        if written is not None:
            fields["as_written"] = [written]
        hits.append(
            SearchHit(
                type=cast(SearchableType, kind),
                id=rid,
                name=Bilingual(zh=zh, en=en),
                quote=quote,
                score=_score(q, fields),
                url=url,
            )
        )
    hits.sort(key=lambda h: (-h.score, TYPE_ORDER[h.type], h.id))
    return hits
