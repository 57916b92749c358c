"""A public record's three stored forms, all derived from it: its JSON, its CSV line, its row."""

from typing import Any

import orjson
from sqlmodel import SQLModel

from app.store.tables import PUBLIC_ONLY
from app.tabular import csv_line, flatten


def dump(record: SQLModel) -> str:
    """Compact UTF-8 JSON of a public record (Chinese unescaped), `id` first."""
    return _json(record.model_dump(mode="json"))


def _json(data: dict[str, Any]) -> str:
    return orjson.dumps({"id": data["id"], **data}).decode("utf-8")


def row_of(table: type[SQLModel], record: SQLModel, **storage: Any) -> SQLModel:
    """The table row of a public record: its flat columns (those the table stores), its JSON
    and CSV line, and the storage-only values given."""
    hidden = PUBLIC_ONLY.get(table, frozenset())
    columns = {k: v for k, v in flatten(record).items() if k not in hidden}
    data = record.model_dump(mode="json")
    line = csv_line(data, type(record))
    return table(**columns, payload=_json(data), csv_row=line, **storage)
