"""The public models: what the API serves, declared once.

Every record is built once as its public model (`app/dataset/`); its table row, its stored JSON
and its CSV columns are derived from that declaration (`app/tabular.py`, `app/store/tables.py`).
The curated-file models (`app/dataset/curated.py`) share the base classes declared here; the
vocabularies they use are in `app/vocabulary.py`.
"""

from datetime import date
from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from sqlmodel import AutoString, Field, SQLModel

from app.vocabulary import (
    Basis,
    Category,
    ChainKind,
    EntityType,
    MetricKind,
    ParagraphRole,
    PeriodType,
    Precision,
    Qualifier,
    RecordType,
    SearchableType,
    Text,
    Unit,
)

# --- shared value objects -------------------------------------------------------------------


class Bilingual(SQLModel):
    """A label of ours: in Chinese in the source's terms, in English our translation."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    zh: Text = Field(
        description="Chinese: our label in the source's terms (the quote is the source's words)."
    )
    en: Text = Field(description="English: our translation, not the source's.")


class Note(SQLModel):
    """A curator's caveat; English is required, Chinese optional."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    en: Text
    zh: str | None = None


class Source(SQLModel):
    """A verbatim quote and its code point offsets: text[start:end] == quote."""

    document: str
    paragraph: int = Field(description="Body paragraph number, 1-based.")
    start: int = Field(description="Offset of the first character, in Unicode code points.")
    end: int = Field(description="Offset after the last character (exclusive).")
    quote: str


class Period(SQLModel):
    """When a number is true: its reference period (SDMX's time period), and the expression
    the text writes, resolved against the publication date.

    `type` says how the number relates to start..end: `span` (over or for the whole period),
    `as_of` (true at `end`; `start` is null, "on or before"), `horizon` (a target for `end`).
    `written_start`..`written_end` is the span the expression names, e.g. 2016..2020 for 过去5年
    when the number is a level reached by the end of 2020.
    """

    type: PeriodType
    start: date | None
    end: date | None
    precision: Precision
    label: Bilingual = Field(description="The reference period in words; zh and en say the same.")
    as_written: str
    written_start: date | None
    written_end: date | None


class EventDate(SQLModel):
    """When an event happened, as precise as the text allows."""

    start: date | None
    end: date | None
    precision: Precision
    as_written: str


# --- base classes shared with the curated files ---------------------------------------------


class IndicatorBase(SQLModel):
    """Fields shared by the curated indicator, its row and the public one."""

    category: Category = Field(sa_type=AutoString, index=True)
    unit: Unit = Field(sa_type=AutoString)
    basis: Basis = Field(
        sa_type=AutoString, index=True, description="What the series measures over time."
    )


class MetricBase(SQLModel):
    """Fields shared by the curated metric, its row and the public metric."""

    indicator: str = Field(foreign_key="indicator.id", index=True)
    subject: str = Field(index=True)
    kind: MetricKind = Field(sa_type=AutoString, index=True)
    as_written: str


class MetricDerived(MetricBase):
    """Fields the build derives, shared by the row and the public metric."""

    category: Category = Field(sa_type=AutoString, index=True)
    basis: Basis = Field(sa_type=AutoString, index=True, description="The indicator's basis.")
    subject_type: str = Field(description="`entity` or `industry_chain`.")
    value: float = Field(description="In base units: yuan, not 亿元; 28.1 for 28.1 %.")
    value_high: float | None = Field(default=None, description="Top of a range, else null.")
    unit: Unit = Field(sa_type=AutoString, index=True)
    qualifier: Qualifier = Field(sa_type=AutoString)


class EntityBase(SQLModel):
    """Fields shared by the curated entity, its row and the public entity."""

    type: EntityType = Field(sa_type=AutoString, index=True)
    parent: str | None = None
    as_written: str


class ChainBase(SQLModel):
    """Fields shared by the curated chain, its row and the public chain."""

    kind: ChainKind = Field(sa_type=AutoString, index=True)
    parent: str | None = None
    as_written: str


class DocumentBase(SQLModel):
    """Fields shared by the curated document metadata, its row and the public document."""

    origin: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    published: date
    language: str


# --- public models --------------------------------------------------------------------------


class MetricPublic(MetricDerived):
    """An observation as served."""

    id: str
    name: Bilingual
    period: Period | None
    source: Source
    entities: list[str]
    industry_chains: list[str]
    note: Note | None


class MetricSummary(SQLModel):
    """A short reference to an observation."""

    id: str
    value: float
    value_high: float | None
    unit: Unit
    qualifier: Qualifier
    period: Period | None


class LatestValues(SQLModel):
    """A series' latest actual value and latest target for one subject."""

    subject: str
    actual: MetricSummary | None = Field(
        description="The subject's actual observation with the latest reference period end; if "
        "none is dated, its only undated one, else null."
    )
    target: MetricSummary | None = Field(description="Same rule, for targets.")


class IndicatorPublic(IndicatorBase):
    """A series: one concept, unit and basis; its latest values per subject."""

    id: str
    name: Bilingual
    description: Note | None
    observations: int
    latest: list[LatestValues] = Field(description="One entry per subject, by subject id.")


class IndicatorDetail(IndicatorPublic):
    """A series and all its observations in period order."""

    items: list[MetricPublic]


class Mentions(SQLModel):
    """Records that link to an entity."""

    metrics: list[str]
    events: list[str]
    industry_chains: list[str]


class EntityPublic(EntityBase):
    """An entity as served, with what mentions it."""

    id: str
    name: Bilingual
    children: list[str]
    source: Source
    mentioned_by: Mentions


class ChainPublic(ChainBase):
    """An industry, cluster or system as served, with its links."""

    id: str
    name: Bilingual
    children: list[str]
    related: list[str]
    entities: list[str]
    metrics: list[str]
    events: list[str]
    source: Source


class EventPublic(SQLModel):
    """An event as served."""

    id: str
    title: Bilingual
    date: EventDate | None
    entities: list[str]
    metrics: list[str]
    industry_chains: list[str]
    source: Source


class ParagraphPublic(SQLModel):
    """A paragraph's place in the document text."""

    index: int
    role: ParagraphRole
    number: int | None
    start: int
    end: int


class DocumentPublic(DocumentBase):
    """Document metadata and its paragraphs with offsets (the text is at /text)."""

    id: str
    title: Bilingual
    publisher: Bilingual
    char_count: int
    paragraphs: list[ParagraphPublic]


class SearchHit(SQLModel):
    """A record that matches, with where to fetch it."""

    type: SearchableType
    id: str
    name: Bilingual
    quote: str
    score: float = Field(
        description="Higher is better: 5 = its own name is the query, 4–5 its name contains it, "
        "3–4 its expression, 2–3 its quote, 1–2 its id, 0–1 a linked record's name."
    )
    url: str


# The public model of each kind of record with a table of its own.
PUBLIC_MODELS: dict[RecordType, type[SQLModel]] = {
    RecordType.metric: MetricPublic,
    RecordType.indicator: IndicatorPublic,
    RecordType.industry_chain: ChainPublic,
    RecordType.event: EventPublic,
    RecordType.entity: EntityPublic,
    RecordType.document: DocumentPublic,
}
