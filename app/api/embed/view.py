"""Typed views of the API's public JSON, accepting today's shape and the coming one (issue 8)."""

from collections.abc import Mapping, Sequence
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
    """A bilingual label: zh is the source's words, en our translation; either may be missing."""

    zh: str | None
    en: str | None

    @classmethod
    def of(cls, raw: Any) -> "Text":
        """A Text from `{"zh": …, "en": …}`, a plain string (both), or None (neither)."""
        if isinstance(raw, Mapping):
            return cls(_str_or_none(raw.get("zh")), _str_or_none(raw.get("en")))
        if isinstance(raw, str):
            return cls(raw, raw)
        return cls(None, None)

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
    """A metric's reference period.

    `type` is served by the API from issue 8 on; before that it is inferred: an open start
    (`到2018年底`) is `as_of`, anything else a `span`. `as_of` and `horizon` mean "at/by `end`".
    """

    type: PeriodType
    start: date | None
    end: date | None
    precision: str | None
    label: Text
    as_written: str | None
    written_start: date | None
    written_end: date | None

    @classmethod
    def of(cls, raw: Any) -> "Period | None":
        """A Period from the public JSON, or None when the text states no period."""
        if not isinstance(raw, Mapping):
            return None
        start = _date(raw.get("start"))
        end = _date(raw.get("end"))
        if start is None and end is None:
            return None
        served = raw.get("type")
        kind: PeriodType
        if served in ("span", "as_of", "horizon"):
            kind = served
        else:
            kind = "as_of" if start is None else "span"
        return cls(
            type=kind,
            start=start,
            end=end,
            precision=_str_or_none(raw.get("precision")),
            label=Text.of(raw.get("label")),
            as_written=_str_or_none(raw.get("as_written")),
            written_start=_date(raw.get("written_start")),
            written_end=_date(raw.get("written_end")),
        )

    @property
    def reference(self) -> date:
        """The date a chart places the value at: the end (a span is also drawn across)."""
        found = self.end or self.start
        assert found is not None  # of() returns None when both are missing
        return found

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
    paragraph: int | None
    start: int | None
    end: int | None
    quote: str

    @classmethod
    def of(cls, raw: Any) -> "Source":
        """A Source from the public JSON."""
        raw = raw if isinstance(raw, Mapping) else {}
        return cls(
            document=str(raw.get("document") or ""),
            paragraph=_int_or_none(raw.get("paragraph")),
            start=_int_or_none(raw.get("start")),
            end=_int_or_none(raw.get("end")),
            quote=str(raw.get("quote") or ""),
        )


@dataclass(frozen=True)
class Metric:
    """One observation, as the renderers need it."""

    id: str
    indicator: str | None
    name: Text
    subject: str | None
    kind: str
    category: str | None
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
        value_high = raw.get("value_high")
        return cls(
            id=str(raw["id"]),
            indicator=_str_or_none(raw.get("indicator")),
            name=Text.of(raw.get("name")),
            subject=_str_or_none(raw.get("subject")),
            kind=str(raw.get("kind") or "actual"),
            category=_str_or_none(raw.get("category")),
            value=float(raw["value"]),
            value_high=None if value_high is None else float(value_high),
            unit=str(raw.get("unit") or ""),
            qualifier=str(raw.get("qualifier") or "exact"),
            as_written=str(raw.get("as_written") or ""),
            period=Period.of(raw.get("period")),
            source=Source.of(raw.get("source")),
            note=Text.of(raw.get("note")),
        )


@dataclass(frozen=True)
class Latest:
    """The latest actual and target of one subject (issue 8's `latest` entries)."""

    subject: str | None
    actual: str | None
    target: str | None


@dataclass(frozen=True)
class Indicator:
    """A series and its observations in period order."""

    id: str
    name: Text
    unit: str
    category: str | None
    basis: str | None
    description: Text
    observations: tuple[Metric, ...]
    latest: tuple[Latest, ...]

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> "Indicator":
        """An Indicator from `/v1/indicators/{id}`; `latest` from either shape."""
        items = raw.get("items")
        observations = tuple(Metric.of(item) for item in items) if isinstance(items, list) else ()
        return cls(
            id=str(raw["id"]),
            name=Text.of(raw.get("name")),
            unit=str(raw.get("unit") or ""),
            category=_str_or_none(raw.get("category")),
            basis=_str_or_none(raw.get("basis")),
            description=Text.of(raw.get("description")),
            observations=observations,
            latest=_latest(raw, observations),
        )

    @property
    def subjects(self) -> tuple[str, ...]:
        """The distinct subjects, in the order they first appear."""
        return tuple(dict.fromkeys(m.subject or "" for m in self.observations))


def _latest(raw: Mapping[str, Any], observations: Sequence[Metric]) -> tuple[Latest, ...]:
    served = raw.get("latest")
    if isinstance(served, list):
        return tuple(
            Latest(
                subject=_str_or_none(entry.get("subject")),
                actual=_summary_id(entry.get("actual")),
                target=_summary_id(entry.get("target")),
            )
            for entry in served
            if isinstance(entry, Mapping)
        )
    actual = _summary_id(raw.get("latest_actual"))
    target = _summary_id(raw.get("latest_target"))
    if actual is None and target is None:
        return ()
    subjects = {m.subject for m in observations}
    subject = next(iter(subjects)) if len(subjects) == 1 else None
    return (Latest(subject=subject, actual=actual, target=target),)


def _summary_id(raw: Any) -> str | None:
    return _str_or_none(raw.get("id")) if isinstance(raw, Mapping) else None


def _str_or_none(raw: Any) -> str | None:
    return raw if isinstance(raw, str) and raw else None


def _int_or_none(raw: Any) -> int | None:
    return raw if isinstance(raw, int) and not isinstance(raw, bool) else None


def _date(raw: Any) -> date | None:
    if not isinstance(raw, str) or not raw:
        return None
    return date.fromisoformat(raw)
