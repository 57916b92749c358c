"""The search index: per record, what a hit shows and every text it is found by, at seed time."""

from collections.abc import Iterable, Sequence

from app.models import Bilingual, ChainPublic, EntityPublic, EventPublic, MetricPublic
from app.store.search_text import TYPE_ORDER, bigrams, normalise, units
from app.store.tables import SearchEntry, SearchTerm
from app.vocabulary import RESOURCE_PATHS
from app.vocabulary import RecordType as T

Searchable = MetricPublic | ChainPublic | EntityPublic | EventPublic
Ref = tuple[str, str]  # record type, id

# Where a text comes from, as the tier of search_term (higher ranks first).
NAME, EXPRESSION, QUOTE, ID, LINKED = 4, 3, 2, 1, 0


def _name(record: Searchable) -> Bilingual:
    return record.title if isinstance(record, EventPublic) else record.name


def _links(record: Searchable) -> list[Ref]:
    """The records this one names: subject, entities, chains (related ones), metrics."""
    if isinstance(record, MetricPublic):
        return [
            (record.subject_type, record.subject),
            *((T.entity.value, e) for e in record.entities),
            *((T.industry_chain.value, c) for c in record.industry_chains),
        ]
    if isinstance(record, ChainPublic):
        return [
            *((T.industry_chain.value, c) for c in record.related),
            *((T.entity.value, e) for e in record.entities),
        ]
    if isinstance(record, EventPublic):
        return [
            *((T.entity.value, e) for e in record.entities),
            *((T.metric.value, m) for m in record.metrics),
            *((T.industry_chain.value, c) for c in record.industry_chains),
        ]
    return []


def _texts(record: Searchable, names: dict[Ref, Bilingual]) -> dict[str, int]:
    """Each normalised text the record is found by, with the best tier it comes from."""
    name = _name(record)
    written = None if isinstance(record, EventPublic) else record.as_written
    found: list[tuple[int, str | None]] = [
        (NAME, name.zh),
        (NAME, name.en),
        (EXPRESSION, written),
        (QUOTE, record.source.quote),
        (ID, record.id),
    ]
    for ref in _links(record):
        linked = names[ref]
        found += [(LINKED, linked.zh), (LINKED, linked.en)]
    best: dict[str, int] = {}
    for tier, raw in found:
        text = normalise(raw or "")
        if text and tier > best.get(text, -1):
            best[text] = tier
    return best


def search_rows(
    metrics: Sequence[MetricPublic],
    chains: Sequence[ChainPublic],
    events: Sequence[EventPublic],
    entities: Sequence[EntityPublic],
) -> list[SearchEntry | SearchTerm]:
    """The search_entry row of every record (numbered by type, then id) and its search_term rows."""
    records: list[tuple[T, Searchable]] = [
        *((T.metric, m) for m in metrics),
        *((T.industry_chain, c) for c in chains),
        *((T.event, e) for e in events),
        *((T.entity, e) for e in entities),
    ]
    records.sort(key=lambda kr: (TYPE_ORDER[kr[0]], kr[1].id))
    names = {(kind.value, r.id): _name(r) for kind, r in records}
    out: list[SearchEntry | SearchTerm] = []
    terms = 0
    for key, (kind, record) in enumerate(records):
        name = _name(record)
        out.append(
            SearchEntry.model_construct(
                key=key,
                type=kind.value,
                id=record.id,
                name_zh=name.zh,
                name_en=name.en,
                quote=record.source.quote,
                url=f"{RESOURCE_PATHS[kind]}/{record.id}",
            )
        )
        found = _terms(key, _texts(record, names).items(), start=terms)
        out.extend(found)
        terms += len(found)
    return out


def _terms(entry: int, texts: Iterable[tuple[str, int]], start: int) -> list[SearchTerm]:
    """The search_term rows of one record, best tier first, keyed from start on."""
    ordered = sorted(texts, key=lambda tt: (-tt[1], tt[0]))
    # Built from values computed here, so without validation: 1,000,000 rows at 1000× the data.
    return [
        SearchTerm.model_construct(
            key=start + i,
            entry=entry,
            tier=tier,
            units=units(text),
            text=text,
            grams=" ".join(bigrams(text)),
        )
        for i, (text, tier) in enumerate(ordered)
    ]
