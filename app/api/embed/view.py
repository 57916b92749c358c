"""Typed views of the API's public JSON (`MetricPublic`, `IndicatorDetail`), as the renderers
need them: dates parsed, labels with a language fallback, the chart's placement rules."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

Lang = Literal["zh", "en"]
Theme = Literal["light", "dark"]
PeriodType = Literal["span", "as_of", "horizon"]
LANGS: tuple[Lang, ...] = ("zh", "en")
THEMES: tuple[Theme, ...] = ("light", "dark")


@dataclass(frozen=True)
class Text:
    """A bilingual label of ours: zh in the source's terms, en our translation; either may be
    missing."""

    zh: str | None
    en: str | None

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> "Text":
        """A Text from `{"zh": …, "en": …}`, or None (neither)."""
        if raw is None:
            return cls(None, None)
        return cls(raw.get("zh") or None, raw.get("en") or None)

    def get(self, lang: Lang) -> str | None:
        """The label in `lang`, or None."""
        return self.zh if lang == "zh" else self.en

    def pick(self, lang: Lang, fallback: str = "") -> tuple[str, Lang]:
        """The label in `lang`, else in the other language, else `fallback`; with its language."""
        other: Lang = "en" if lang == "zh" else "zh"
        for candidate in (lang, other):
            value = self.get(candidate)
            if value:
                return value, candidate
        return fallback, lang


@dataclass(frozen=True)
class Period:
    """A metric's reference period; `as_of` and `horizon` mean "at/by `end`" (start is null)."""

    type: PeriodType
    start: date | None
    end: date
    precision: str
    label: Text
    as_written: str
    written_start: date | None
    written_end: date | None

    @classmethod
    def of(cls, raw: Mapping[str, Any] | None) -> "Period | None":
        """A Period from the public JSON, or None when the text states no period."""
        if raw is None:
            return None
        return cls(
            type=raw["type"],
            start=_date(raw["start"]),
            end=date.fromisoformat(raw["end"]),
            precision=raw["precision"],
            label=Text.of(raw["label"]),
            as_written=raw["as_written"],
            written_start=_date(raw["written_start"]),
            written_end=_date(raw["written_end"]),
        )

    @property
    def reference(self) -> date:
        """The date a chart places the value at: the end (a span is also drawn across)."""
        return self.end

    @property
    def is_span(self) -> bool:
        """True when the value describes a stretch of time, drawn from start to end."""
        return self.type == "span" and self.start is not None and self.start != self.end

    @property
    def written_span(self) -> tuple[date, date] | None:
        """The span as the text wrote it, when the reference period differs from it."""
        written = (self.written_start, self.written_end)
        if self.written_start and self.written_end and written != (self.start, self.end):
            return self.written_start, self.written_end
        return None


@dataclass(frozen=True)
class Source:
    """Where a record's words are: document, paragraph, code-point offsets and the quote."""

    document: str
    paragraph: int
    start: int
    end: int
    quote: str

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "Source":
        """A Source from the public JSON."""
        return cls(raw["document"], raw["paragraph"], raw["start"], raw["end"], raw["quote"])


@dataclass(frozen=True)
class Metric:
    """One observation, as the renderers need it."""

    id: str
    indicator: str
    name: Text
    subject: str
    kind: str
    category: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    as_written: str
    period: Period | None
    source: Source
    note: Text

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "Metric":
        """A Metric from `/v1/metrics/{id}` (or one of an indicator's `items`)."""
        value_high = raw["value_high"]
        return cls(
            id=raw["id"],
            indicator=raw["indicator"],
            name=Text.of(raw["name"]),
            subject=raw["subject"],
            kind=raw["kind"],
            category=raw["category"],
            value=float(raw["value"]),
            value_high=None if value_high is None else float(value_high),
            unit=raw["unit"],
            qualifier=raw["qualifier"],
            as_written=raw["as_written"],
            period=Period.of(raw["period"]),
            source=Source.of(raw["source"]),
            note=Text.of(raw["note"]),
        )


@dataclass(frozen=True)
class Indicator:
    """A series (one concept, unit and basis) and its observations in period order."""

    id: str
    name: Text
    unit: str
    category: str
    basis: str
    description: Text
    observations: tuple[Metric, ...]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "Indicator":
        """An Indicator from `/v1/indicators/{id}` (its `items` are the observations)."""
        return cls(
            id=raw["id"],
            name=Text.of(raw["name"]),
            unit=raw["unit"],
            category=raw["category"],
            basis=raw["basis"],
            description=Text.of(raw["description"]),
            observations=tuple(Metric.of(item) for item in raw["items"]),
        )

    @property
    def subjects(self) -> tuple[str, ...]:
        """The distinct subjects, in the order they first appear."""
        return tuple(dict.fromkeys(m.subject for m in self.observations))


def _date(raw: str | None) -> date | None:
    return None if raw is None else date.fromisoformat(raw)
