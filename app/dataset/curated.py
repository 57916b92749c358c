"""The curated-file models: what seed/*.toml may say, validated before anything is resolved.

They share their base classes with the public models (app/models.py), so a field is declared
once. A curated record gives quotes and verbatim expressions, never a typed number.
"""

from pydantic import BaseModel, ConfigDict
from sqlmodel import Field, SQLModel

from app.models import (
    Bilingual,
    ChainBase,
    DocumentBase,
    EntityBase,
    IndicatorBase,
    MetricBase,
    Note,
)
from app.vocabulary import Slug, Text, Unit


class Located(SQLModel):
    """Where a curated record is found in its document."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    quote: Text
    paragraph: int | None = Field(default=None, ge=1)


class IndicatorSeed(IndicatorBase):
    """An indicator as curated in seed/indicators.toml."""

    model_config = ConfigDict(extra="forbid")  # type: ignore[assignment]

    id: Slug
    name: Bilingual
    description: Note | None = None


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


class EntitySeed(EntityBase, Located):
    """An entity as curated."""

    id: Slug
    name: Bilingual
    parent: Slug | None = None
    as_written: Text


class ChainSeed(ChainBase, Located):
    """An industry, chain, cluster or system as curated."""

    id: Slug
    name: Bilingual
    parent: Slug | None = None
    as_written: Text
    related: list[Slug] = []
    entities: list[Slug] = []


class EventSeed(Located):
    """An event as curated: the date is a verbatim expression, resolved by code."""

    id: Slug
    title: Bilingual
    date: str | None = None
    entities: list[Slug] = []
    metrics: list[Slug] = []
    chains: list[Slug] = []


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


class IgnoreSeed(BaseModel):
    """A number in the body that is deliberately not a fact, with the reason."""

    model_config = ConfigDict(extra="forbid")

    context: str
    paragraph: int | None = None
    reason: str


class TermSeed(BaseModel):
    """A glossary term (seed/glossary.toml): the standard English of one of the source's terms."""

    model_config = ConfigDict(extra="forbid")

    zh: Text
    en: Text
    note: str | None = None
