"""The search index: one row per searchable record, built at seed time from its public model."""

from app.models import ChainPublic, EntityPublic, EventPublic, MetricPublic
from app.store.tables import SearchEntry
from app.vocabulary import RESOURCE_PATHS
from app.vocabulary import RecordType as T

SEPARATOR = "\x1f"  # never in a query, so a match cannot span two fields
Searchable = MetricPublic | ChainPublic | EntityPublic | EventPublic


def search_entry(kind: T, record: Searchable) -> SearchEntry:
    """The search row of a metric, chain, event or entity."""
    if isinstance(record, EventPublic):
        name, written = record.title, None
    else:
        name, written = record.name, record.as_written
    parts = [name.zh, name.en, written or "", record.source.quote, record.id]
    return SearchEntry(
        type=kind.value,
        id=record.id,
        name_zh=name.zh,
        name_en=name.en,
        as_written=written,
        quote=record.source.quote,
        url=f"{RESOURCE_PATHS[kind]}/{record.id}",
        text=SEPARATOR.join(parts).casefold(),
    )
