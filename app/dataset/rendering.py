"""A public record's stored forms, all derived from it: its JSON, its CSV line, its row, and the
text a list's `q` filter searches."""

from collections.abc import Callable
from typing import Any

import orjson
from sqlmodel import SQLModel

from app.models import ChainPublic, EntityPublic, EventPublic, IndicatorPublic, MetricPublic
from app.store.search_text import filter_text
from app.store.tables import PUBLIC_ONLY, Filtered
from app.tabular import csv_line, flatten

# The texts `q` finds a record of each list by (README, "Text parameters").
Q_FIELDS: dict[type[SQLModel], Callable[[Any], list[str | None]]] = {
    MetricPublic: lambda r: [r.name.zh, r.name.en, r.as_written, r.source.quote, r.id],
    IndicatorPublic: lambda r: [r.name.zh, r.name.en, r.id],
    ChainPublic: lambda r: [r.name.zh, r.name.en, r.as_written, r.id],
    EventPublic: lambda r: [r.title.zh, r.title.en, r.source.quote, r.id],
    EntityPublic: lambda r: [r.name.zh, r.name.en, r.as_written, r.id],
}


def dump(record: SQLModel) -> str:
    """Compact UTF-8 JSON of a public record (Chinese unescaped), `id` first."""
    return _json(record.model_dump(mode="json"))


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps({"id": data["id"], **data}).decode("utf-8")


def q_text(record: SQLModel) -> str:
    """The normal form of the texts `q` searches in a record (app.store.search_text)."""
    return filter_text(Q_FIELDS[type(record)](record))


def row_of(table: type[SQLModel], record: SQLModel, **storage: Any) -> SQLModel:
    """The table row of a public record: its flat columns (those the table stores), its JSON
    and CSV line, what `q` searches (tables that have it), and the storage-only values given."""
    hidden = PUBLIC_ONLY.get(table, frozenset())
    columns = {k: v for k, v in flatten(record).items() if k not in hidden}
    data = record.model_dump(mode="json")
    line = csv_line(data, type(record))
    if issubclass(table, Filtered):
        storage = {"q_text": q_text(record), **storage}
    return table(**columns, payload=_json(data), csv_row=line, **storage)
