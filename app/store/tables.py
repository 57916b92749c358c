"""The database schema: one table per kind of record, plus links, search rows and dataset facts.

A record's row is derived from its public model (`app.tabular.flatten`): its scalar columns are
the public model's flat CSV columns, plus the storage-only columns each table declares below
(the stored JSON and CSV line, the text `q` searches, list ranks, document positions).
`tests/test_store_tables.py` holds every table to that rule.
"""

from datetime import date

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import AutoString, Field, SQLModel

from app.models import ChainBase, DocumentBase, EntityBase, IndicatorBase, MetricDerived
from app.vocabulary import METRIC_FILTERS, ParagraphRole


class Rendered(SQLModel):
    """A record's public JSON and its CSV line, rendered once at seed time."""

    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


class Filtered(SQLModel):
    """What a list's `q` filter searches, in the normal form of app.store.search_text."""

    q_text: str = Field(default="", description="Normalised searched texts, one a line.")


class SourceColumns(SQLModel):
    """The columns behind a row's `source`: text[start:end] == quote, in a body paragraph."""

    document: str = Field(foreign_key="document.id", index=True)
    paragraph: int
    start: int
    end: int
    quote: str


class Indicator(IndicatorBase, Rendered, Filtered, table=True):
    """A series: observations of one concept at different periods."""

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    description_en: str | None = None
    description_zh: str | None = None
    observations: int


class Metric(MetricDerived, SourceColumns, Rendered, Filtered, table=True):
    """One observation, flat, for filtering and indexing."""

    # Each filter column with the default order, so a filtered page is an index range scan.
    __table_args__ = tuple(
        Index(f"ix_metric_{column}_period_rank", column, "period_rank") for column in METRIC_FILTERS
    )

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    period_type: str | None = None
    period_start: date | None = Field(default=None, index=True)
    period_end: date | None = Field(default=None, index=True)
    period_precision: str | None = None
    period_label_zh: str | None = None
    period_label_en: str | None = None
    period_as_written: str | None = None
    period_written_start: date | None = None
    period_written_end: date | None = None
    note_en: str | None = None
    note_zh: str | None = None
    position: int = Field(description="Order of the quote in the document.")
    period_rank: int = Field(default=0, index=True, description="Place in `sort=period`.")
    period_rank_desc: int = Field(default=0, index=True, description="Place in `sort=-period`.")


class Entity(EntityBase, SourceColumns, Rendered, Filtered, table=True):
    """An organisation, person, place or programme named in a document."""

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str


class IndustryChain(ChainBase, SourceColumns, Rendered, Filtered, table=True):
    """An industrial system, group, industry, cluster or set of chains."""

    __tablename__ = "industry_chain"

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str


class Event(SourceColumns, Rendered, Filtered, table=True):
    """A dated or datable event; undated events keep a null date."""

    id: str = Field(primary_key=True)
    title_zh: str
    title_en: str
    date_start: date | None = Field(default=None, index=True)
    date_end: date | None = Field(default=None, index=True)
    date_precision: str | None = None
    date_as_written: str | None = None
    position: int
    rank: int = Field(default=0, index=True, description="Place in the timeline's date order.")


class Document(DocumentBase, Rendered, table=True):
    """A stored source document with its verbatim text."""

    id: str = Field(primary_key=True)
    title_zh: str
    title_en: str
    publisher_zh: str
    publisher_en: str
    text: str
    char_count: int


class Paragraph(SQLModel, table=True):
    """A non-empty line of a document, with its role on the page."""

    document: str = Field(foreign_key="document.id", primary_key=True)
    index: int = Field(primary_key=True, description="0-based over all paragraphs.")
    role: ParagraphRole = Field(sa_type=AutoString)
    number: int | None = Field(default=None, description="Body paragraph number, 1-based.")
    start: int
    end: int


class Link(SQLModel, table=True):
    """A typed edge between two records (metric → entity, event → metric, ...)."""

    source_type: str = Field(primary_key=True)
    source_id: str = Field(primary_key=True)
    target_type: str = Field(primary_key=True, index=True)
    target_id: str = Field(primary_key=True, index=True)


class SearchEntry(SQLModel, table=True):
    """One searchable record: what its hit shows. `key` numbers records by type, then id."""

    __tablename__ = "search_entry"
    __table_args__ = (UniqueConstraint("type", "id", name="uq_search_entry_type_id"),)

    key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    type: str
    id: str
    name_zh: str
    name_en: str
    quote: str
    url: str


class SearchTerm(SQLModel, table=True):
    """One text a record is found by: a name, its expression, quote or id, or a linked name.

    Indexed outside this declaration (migration 0006): on SQLite by the FTS5 tables
    `search_trigram` (over `text`) and `search_bigram` (over `grams`), which the seed fills after
    inserting the rows; on PostgreSQL by GIN indexes over the bigrams and over the trigrams.
    """

    __tablename__ = "search_term"

    key: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    entry: int = Field(foreign_key="search_entry.key", index=True)  # a reseed deletes entries
    tier: int = Field(description="4 name, 3 expression, 2 quote, 1 id, 0 a linked name.")
    units: int = Field(description="Words in `text`; a Chinese character is one.")
    text: str = Field(description="The normalised text (app.store.search_text).")
    grams: str = Field(description="Its distinct bigrams, space-separated (a space in one: _).")


class DatasetInfo(SQLModel, table=True):
    """Key-value facts about the loaded dataset (its version is the content hash)."""

    __tablename__ = "dataset_info"

    key: str = Field(primary_key=True)
    value: str


# Flat columns of a public model that its table does not store (none today; the invariant test
# reads this so a deliberate exception is declared, not silent).
PUBLIC_ONLY: dict[type[SQLModel], frozenset[str]] = {}

# Record tables and the columns only storage has (not in the public model's flat columns).
STORAGE_ONLY: dict[type[SQLModel], frozenset[str]] = {
    Metric: frozenset(
        {"payload", "csv_row", "q_text", "position", "period_rank", "period_rank_desc"}
    ),
    Indicator: frozenset({"payload", "csv_row", "q_text"}),
    IndustryChain: frozenset({"payload", "csv_row", "q_text"}),
    Event: frozenset({"payload", "csv_row", "q_text", "position", "rank"}),
    Entity: frozenset({"payload", "csv_row", "q_text"}),
    Document: frozenset({"payload", "csv_row", "text"}),
    Paragraph: frozenset({"document"}),
}
