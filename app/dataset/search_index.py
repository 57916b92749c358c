"""The search index: one row per searchable record, built at seed time."""

from sqlmodel import SQLModel

from app.models import Entity, Event, IndustryChain, Metric, SearchEntry

URL_PREFIXES = {
    "metric": "/v1/metrics/",
    "industry_chain": "/v1/industry-chains/",
    "event": "/v1/timeline/",
    "entity": "/v1/entities/",
}
SEPARATOR = "\x1f"  # never in a query, so a match cannot span two fields


def search_entries(rows: list[SQLModel]) -> list[SearchEntry]:
    """A SearchEntry for every metric, chain, event and entity."""
    out: list[SearchEntry] = []
    for row in rows:
        if isinstance(row, Metric | IndustryChain | Entity):
            kind, zh, en, written = str(row.__tablename__), row.name_zh, row.name_en, row.as_written
        elif isinstance(row, Event):
            kind, zh, en, written = "event", row.title_zh, row.title_en, None
        else:
            continue
        parts = [zh, en, written or "", row.quote, row.id]
        out.append(
            SearchEntry(
                type=kind,
                id=row.id,
                name_zh=zh,
                name_en=en,
                as_written=written,
                quote=row.quote,
                url=URL_PREFIXES[kind] + row.id,
                text=SEPARATOR.join(parts).casefold(),
            )
        )
    return out
