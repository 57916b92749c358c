"""Tables, curated-file models and public models, one family per resource."""

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, StringConstraints
from sqlalchemy import Index
from sqlmodel import AutoString, Field, SQLModel

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=100)]
Text = Annotated[str, StringConstraints(min_length=1)]


class MetricKind(StrEnum):
    """Whether an observation is a reported fact or a stated goal."""

    actual = "actual"
    target = "target"


class Category(StrEnum):
    """Controlled vocabulary of metric categories."""

    economy = "economy"
    industry = "industry"
    enterprise = "enterprise"
    innovation = "innovation"
    environment = "environment"
    relocation = "relocation"
    investment = "investment"
    trade = "trade"


class Unit(StrEnum):
    """Units of metric values (base units: yuan, not 亿元)."""

    CNY = "CNY"
    USD = "USD"
    percent = "percent"
    count = "count"  # type: ignore[assignment]  # shadows str.count, harmlessly
    day = "day"
    km2 = "km2"
    rank = "rank"
    water_class = "water_class"


class Qualifier(StrEnum):
    """How the value relates to the true quantity."""

    exact = "exact"
    more_than = "more_than"
    at_least = "at_least"
    at_most = "at_most"
    approximately = "approximately"
    range = "range"


class Precision(StrEnum):
    """Granularity of a period or date."""

    day = "day"
    month = "month"
    quarter = "quarter"
    year = "year"
    years = "years"


class Basis(StrEnum):
    """What an indicator measures over time (SDMX: part of the series key, never mixed)."""

    annual = "annual"  # the value for one calendar year (GDP, value added, good-air days)
    year_to_date = "year_to_date"  # cumulative from 1 January to the end of the period
    stock = "stock"  # a level or count at a moment (enterprises, platforms, area)
    flow = "flow"  # the total over the period (added, closed, achieved during it)
    growth_yoy = "growth_yoy"  # % change on the same period a year earlier
    growth_average_annual = "growth_average_annual"  # average yearly % change over the period
    share = "share"  # % of a total, at or for the period
    rank = "rank"  # a place in a ranking (1 = first)
    class_ = "class"  # a classification, e.g. a surface-water quality class


class EntityType(StrEnum):
    """Kinds of named things."""

    organisation = "organisation"
    person = "person"
    place = "place"
    programme = "programme"


class ChainKind(StrEnum):
    """Kinds of industry records."""

    system = "system"
    group = "group"
    industry = "industry"
    cluster = "cluster"
    chain_set = "chain_set"


class ParagraphRole(StrEnum):
    """Where a paragraph sits on the scraped page."""

    header = "header"
    title = "title"  # type: ignore[assignment]  # shadows str.title, harmlessly
    dateline = "dateline"
    body = "body"
    footer = "footer"


# --- shared value objects ---------------------------------------------------------------


class Bilingual(SQLModel):
    """A label in Chinese (as in the source) and English (our translation)."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    zh: Text = Field(description="Chinese, as in the source.")
    en: Text = Field(description="English: our translation, not the source's.")


class Note(SQLModel):
    """A curator's caveat; English is required, Chinese optional."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    en: Text
    zh: str | None = None


class Located(SQLModel):
    """Where a curated record is found in its document."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    quote: Text
    paragraph: int | None = Field(default=None, ge=1)


class Source(SQLModel):
    """A verbatim quote and its code point offsets: text[start:end] == quote."""

    document: str
    paragraph: int = Field(description="Body paragraph number, 1-based.")
    start: int = Field(description="Offset of the first character, in Unicode code points.")
    end: int = Field(description="Offset after the last character (exclusive).")
    quote: str


class Period(SQLModel):
    """The period an observation refers to, resolved against the publication date."""

    start: date | None
    end: date | None
    precision: Precision
    label: Bilingual
    as_written: str


class EventDate(SQLModel):
    """When an event happened, as precise as the text allows."""

    start: date | None
    end: date | None
    precision: Precision
    as_written: str


class SourceColumns(SQLModel):
    """The columns behind a row's `source`: text[start:end] == quote, in a body paragraph."""

    document: str = Field(foreign_key="document.id", index=True)
    paragraph: int
    start: int
    end: int
    quote: str


# --- indicators ---------------------------------------------------------------------------


class IndicatorBase(SQLModel):
    """Fields shared by the curated indicator, its row and the public one."""

    category: Category = Field(sa_type=AutoString, index=True)
    unit: Unit = Field(sa_type=AutoString)


class IndicatorSeed(IndicatorBase):
    """An indicator as curated in seed/indicators.toml."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    id: Slug
    name: Bilingual
    basis: Basis | None = None
    description: Note | None = None


class Indicator(IndicatorBase, table=True):
    """A series: observations of one concept at different periods."""

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    description_en: str | None = None
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


# --- metrics ------------------------------------------------------------------------------


class MetricBase(SQLModel):
    """Fields shared by the curated metric, its row and the public metric."""

    indicator: str = Field(foreign_key="indicator.id", index=True)
    subject: str = Field(index=True)
    kind: MetricKind = Field(sa_type=AutoString, index=True)
    as_written: str


class MetricSeed(MetricBase, Located):
    """An observation as curated: quote and expression, never a typed number."""

    id: Slug
    indicator: Slug
    subject: Slug
    as_written: Text
    as_written_occurrence: int = Field(default=0, ge=0)
    period: str | None = None
    name: Bilingual | None = None
    entities: list[Slug] = []
    chains: list[Slug] = []
    note: Note | None = None
    unit: Unit | None = None


class MetricDerived(MetricBase):
    """Fields the loader derives, shared by the row and the public metric."""

    category: Category = Field(sa_type=AutoString, index=True)
    subject_type: str = Field(description="`entity` or `industry_chain`.")
    value: float = Field(description="In base units: yuan, not 亿元; 28.1 for 28.1 %.")
    value_high: float | None = Field(default=None, description="Top of a range, else null.")
    unit: Unit = Field(sa_type=AutoString, index=True)
    qualifier: Qualifier = Field(sa_type=AutoString)


class Metric(MetricDerived, SourceColumns, table=True):
    """One observation, flattened for filtering and indexing."""

    # Each filter column with the default order, so a filtered page is an index range scan.
    __table_args__ = tuple(
        Index(f"ix_metric_{column}_period_rank", column, "period_rank")
        for column in ("indicator", "category", "subject", "kind", "unit")
    )

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    period_start: date | None = Field(default=None, index=True)
    period_end: date | None = Field(default=None, index=True)
    period_precision: str | None = None
    period_label_zh: str | None = None
    period_label_en: str | None = None
    period_as_written: str | None = None
    note_en: str | None = None
    note_zh: str | None = None
    position: int = Field(description="Order of the quote in the document.")
    period_rank: int = Field(default=0, index=True, description="Place in `sort=period`.")
    period_rank_desc: int = Field(default=0, index=True, description="Place in `sort=-period`.")
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


class MetricPublic(MetricDerived):
    """An observation as served."""

    id: str
    name: Bilingual
    period: Period | None
    source: Source
    entities: list[str]
    industry_chains: list[str]
    note: Note | None


# --- entities -----------------------------------------------------------------------------


class EntityBase(SQLModel):
    """Fields shared by the curated entity, its row and the public entity."""

    type: EntityType = Field(sa_type=AutoString, index=True)
    parent: str | None = None
    as_written: str


class EntitySeed(EntityBase, Located):
    """An entity as curated."""

    id: Slug
    name: Bilingual
    parent: Slug | None = None
    as_written: Text


class Entity(EntityBase, SourceColumns, table=True):
    """An organisation, person, place or programme named in a document."""

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


# --- industry chains ----------------------------------------------------------------------


class ChainBase(SQLModel):
    """Fields shared by the curated chain, its row and the public chain."""

    kind: ChainKind = Field(sa_type=AutoString, index=True)
    parent: str | None = None
    as_written: str


class ChainSeed(ChainBase, Located):
    """An industry, chain, cluster or system as curated."""

    id: Slug
    name: Bilingual
    parent: Slug | None = None
    as_written: Text
    related: list[Slug] = []
    entities: list[Slug] = []


class IndustryChain(ChainBase, SourceColumns, table=True):
    """An industrial system, group, industry, cluster or set of chains."""

    __tablename__ = "industry_chain"

    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


# --- events -------------------------------------------------------------------------------


class EventSeed(Located):
    """An event as curated: the date is a verbatim expression, resolved by code."""

    id: Slug
    title: Bilingual
    date: str | None = None
    entities: list[Slug] = []
    metrics: list[Slug] = []
    chains: list[Slug] = []


class Event(SourceColumns, table=True):
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
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


# --- documents ----------------------------------------------------------------------------


class DocumentBase(SQLModel):
    """Fields shared by the curated document metadata, its row and the public document."""

    origin: str
    sha256: Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]
    published: date
    language: str


class DocumentSeed(DocumentBase):
    """document.toml."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    id: Slug
    source_file: Text
    title: Bilingual
    publisher: Bilingual
    title_line: Text
    dateline: Text
    body_first: Text
    body_last: Text


class Document(DocumentBase, table=True):
    """A stored source document with its verbatim text."""

    id: str = Field(primary_key=True)
    title_zh: str
    title_en: str
    publisher_zh: str
    publisher_en: str
    text: str
    char_count: int
    payload: str = Field(default="", description="Public JSON, rendered at seed time.")
    csv_row: str = Field(default="", description="The same record as one CSV line.")


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
    """One searchable record: its labels, and all its text casefolded into one column."""

    __tablename__ = "search_entry"

    type: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    name_zh: str
    name_en: str
    as_written: str | None = None
    quote: str
    url: str
    text: str = Field(description="Names, expression, quote and id, casefolded.")


class DatasetInfo(SQLModel, table=True):
    """Key-value facts about the loaded dataset (its version is the content hash)."""

    __tablename__ = "dataset_info"

    key: str = Field(primary_key=True)
    value: str


# --- public models not tied to one table --------------------------------------------------


class MetricSummary(SQLModel):
    """A short reference to an observation."""

    id: str
    value: float
    value_high: float | None
    unit: Unit
    qualifier: Qualifier
    period: Period | None


class IndicatorPublic(IndicatorBase):
    """A series with its latest actual value and latest target."""

    id: str
    name: Bilingual
    description: Note | None
    observations: int
    latest_actual: MetricSummary | None = Field(
        description="The actual observation with the latest period end; if none is dated, the "
        "only undated one, else null."
    )
    latest_target: MetricSummary | None = Field(description="Same rule, for targets.")


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
