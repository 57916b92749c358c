"""What the loaded dataset says about itself: its version, its counts, its documents."""

from typing import Any

import orjson
from sqlmodel import col, select

from app.store.paging import stored_total
from app.store.reader import Reader
from app.store.tables import DatasetInfo, Document
from app.vocabulary import RecordType


def dataset_version(db: Reader) -> str | None:
    """The content hash of the loaded dataset."""
    return db.text(
        "version",
        lambda: select(DatasetInfo.value).where(DatasetInfo.key == "version"),
    )


# The names /v1 gives the record counts, in its order.
COUNTED = {
    "metrics": RecordType.metric,
    "indicators": RecordType.indicator,
    "industry_chains": RecordType.industry_chain,
    "events": RecordType.event,
    "entities": RecordType.entity,
    "documents": RecordType.document,
}


def counts(db: Reader) -> dict[str, int]:
    """Records per resource."""
    return {name: stored_total(db, table.value) for name, table in COUNTED.items()}


def document_summaries(db: Reader) -> list[dict[str, Any]]:
    """Id, title, publisher, date and hash of every document, newest first."""
    rows = db.rows(
        "summaries",
        lambda: select(Document.payload).order_by(col(Document.published).desc(), col(Document.id)),
    )
    keys = ("id", "title", "publisher", "published", "sha256")
    return [{k: d[k] for k in keys} for d in (orjson.loads(r[0]) for r in rows)]
