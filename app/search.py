"""One ranked search across metrics, events, chains and entities."""

import re
from dataclasses import dataclass
from typing import Any

from sqlmodel import select

from app.models import Entity, Event, IndustryChain, Metric
from app.queries import like_pattern, text_match
from app.reader import Reader

# Where a match counts most: a name is worth more than a quote.
FIELD_WEIGHTS = {"name": 10.0, "as_written": 6.0, "quote": 3.0, "id": 2.0}
TYPE_ORDER = {"metric": 0, "industry_chain": 1, "event": 2, "entity": 3}


@dataclass(frozen=True)
class Hit:
    """One search result."""

    type: str
    id: str
    name_zh: str
    name_en: str
    quote: str
    score: float
    url: str


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


def search(db: Reader, q: str) -> list[Hit]:
    """Every matching record, best first (then by type and id)."""
    hits: list[Hit] = []
    sources: list[tuple[str, Any, str, Any, Any, list[Any]]] = [
        (
            "metric",
            Metric,
            "/v1/metrics/",
            Metric.name_zh,
            Metric.name_en,
            [Metric.as_written, Metric.quote, Metric.id],
        ),
        (
            "industry_chain",
            IndustryChain,
            "/v1/industry-chains/",
            IndustryChain.name_zh,
            IndustryChain.name_en,
            [IndustryChain.as_written, IndustryChain.quote, IndustryChain.id],
        ),
        ("event", Event, "/v1/timeline/", Event.title_zh, Event.title_en, [Event.quote, Event.id]),
        (
            "entity",
            Entity,
            "/v1/entities/",
            Entity.name_zh,
            Entity.name_en,
            [Entity.as_written, Entity.quote, Entity.id],
        ),
    ]
    for kind, model, prefix, zh, en, others in sources:
        extra = [c for c in others if c.key not in {"quote", "id"}]

        def build(
            model: Any = model, zh: Any = zh, en: Any = en, others: Any = others, extra: Any = extra
        ) -> Any:
            return select(model.id, zh, en, model.quote, *extra).where(text_match(zh, en, *others))

        for row in db.rows(("search", kind), build, {"q": like_pattern(q)}):
            values: list[str] = list(row)
            rid, name_zh, name_en, quote = values[:4]
            fields = {"name": [name_zh, name_en], "quote": [quote], "id": [rid]}
            if values[4:]:
                fields["as_written"] = values[4:]
            hits.append(Hit(kind, rid, name_zh, name_en, quote, _score(q, fields), prefix + rid))
    hits.sort(key=lambda h: (-h.score, TYPE_ORDER[h.type], h.id))
    return hits
