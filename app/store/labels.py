"""Names of records by id, for pages that show a record with the names of what it points at
(an embed card names its subject and its document). No HTTP here."""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import bindparam
from sqlmodel import select

from app.store.reader import Reader
from app.store.tables import Document, Entity, IndustryChain
from app.vocabulary import RecordType

Label = dict[str, str]  # {"zh": …, "en": …}

# The kinds of record a metric's `subject_type` names, and their tables.
SUBJECT_TABLES: dict[str, type[Entity] | type[IndustryChain]] = {
    RecordType.entity: Entity,
    RecordType.industry_chain: IndustryChain,
}


def subject_name(db: Reader, subject_type: str, subject_id: str) -> Label | None:
    """The `{zh, en}` name of an entity or an industry chain, or None."""
    table = SUBJECT_TABLES.get(subject_type)
    if table is None:
        return None
    columns: list[Any] = [table.name_zh, table.name_en]
    rows = db.rows(
        ("name", table.__tablename__),
        lambda: select(*columns).where(table.id == bindparam("id")),
        {"id": subject_id},
    )
    return {"zh": rows[0][0], "en": rows[0][1]} if rows else None


def subject_names(db: Reader, records: Iterable[Mapping[str, Any]]) -> dict[str, Label | None]:
    """The names of the subjects of some metrics (public JSON), by subject id."""
    names: dict[str, Label | None] = {}
    for record in records:
        subject = record["subject"]
        if subject not in names:
            names[subject] = subject_name(db, record["subject_type"], subject)
    return names


def document_title(db: Reader, document_id: str) -> Label | None:
    """The `{zh, en}` title of a document, or None."""
    columns: list[Any] = [Document.title_zh, Document.title_en]
    rows = db.rows(
        "document_title",
        lambda: select(*columns).where(Document.id == bindparam("id")),
        {"id": document_id},
    )
    return {"zh": rows[0][0], "en": rows[0][1]} if rows else None
