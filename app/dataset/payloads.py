"""Render each record's public JSON once, at seed time, so requests only ship bytes."""

from collections import defaultdict
from datetime import date
from typing import Any

import orjson
from sqlmodel import SQLModel

from app.models import (
    Bilingual,
    ChainPublic,
    Document,
    DocumentPublic,
    Entity,
    EntityPublic,
    Event,
    EventDate,
    EventPublic,
    Indicator,
    IndicatorPublic,
    IndustryChain,
    Link,
    Mentions,
    Metric,
    MetricPublic,
    MetricSummary,
    Note,
    Paragraph,
    ParagraphPublic,
    Period,
    Precision,
    Source,
)
from app.tabular import csv_line


def dump(model: SQLModel) -> str:
    """Compact UTF-8 JSON of a public model (Chinese unescaped), `id` first."""
    data = model.model_dump(mode="json")
    return orjson.dumps({"id": data.pop("id"), **data}).decode("utf-8")


def render(row: Any, public: SQLModel) -> None:
    """Store a row's public JSON and its CSV line."""
    row.payload = dump(public)
    row.csv_row = csv_line(public.model_dump(mode="json"), type(public))


def _source(row: Metric | Event | Entity | IndustryChain) -> Source:
    return Source(
        document=row.document,
        paragraph=row.paragraph,
        start=row.start,
        end=row.end,
        quote=row.quote,
    )


def metric_public(m: Metric, entities: list[str], chains: list[str]) -> MetricPublic:
    """The served shape of a metric row."""
    period = None
    if m.period_as_written is not None and m.period_precision is not None:
        period = Period(
            start=m.period_start,
            end=m.period_end,
            precision=Precision(m.period_precision),
            label=Bilingual(zh=m.period_label_zh or "", en=m.period_label_en or ""),
            as_written=m.period_as_written,
        )
    note = Note(en=m.note_en, zh=m.note_zh) if m.note_en else None
    return MetricPublic(
        id=m.id,
        indicator=m.indicator,
        name=Bilingual(zh=m.name_zh, en=m.name_en),
        category=m.category,
        subject=m.subject,
        subject_type=m.subject_type,
        kind=m.kind,
        value=m.value,
        value_high=m.value_high,
        unit=m.unit,
        qualifier=m.qualifier,
        as_written=m.as_written,
        period=period,
        source=_source(m),
        entities=entities,
        industry_chains=chains,
        note=note,
    )


def _period_key(m: Metric) -> tuple[date, date]:
    return (m.period_end or m.period_start or date.min, m.period_start or date.min)


def latest(metrics: list[Metric]) -> Metric | None:
    """The observation with the latest period end; if none is dated, the only undated one."""
    dated = [m for m in metrics if m.period_end or m.period_start]
    if dated:
        return max(dated, key=_period_key)
    return metrics[0] if len(metrics) == 1 else None


def summary(m: Metric | None, public: dict[str, MetricPublic]) -> MetricSummary | None:
    """A short reference to an observation."""
    if m is None:
        return None
    p = public[m.id]
    return MetricSummary(
        id=p.id,
        value=p.value,
        value_high=p.value_high,
        unit=p.unit,
        qualifier=p.qualifier,
        period=p.period,
    )


def render_payloads(rows: list[SQLModel]) -> None:
    """Fill the payload column of every record row, from the rows and their links."""
    out: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    inbound: dict[tuple[str, str], dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for link in (r for r in rows if isinstance(r, Link)):
        out[(link.source_type, link.source_id)][link.target_type].append(link.target_id)
        inbound[(link.target_type, link.target_id)][link.source_type].append(link.source_id)

    metrics = [r for r in rows if isinstance(r, Metric)]
    series: dict[str, list[Metric]] = defaultdict(list)
    for m in metrics:
        series[m.indicator].append(m)
    children: dict[tuple[str, str], list[str]] = defaultdict(list)
    paragraphs: dict[str, list[Paragraph]] = defaultdict(list)
    for r in rows:
        if isinstance(r, Entity | IndustryChain) and r.parent is not None:
            children[(str(r.__tablename__), r.parent)].append(r.id)
        elif isinstance(r, Paragraph):
            paragraphs[r.document].append(r)

    public: dict[str, MetricPublic] = {}
    for m in metrics:
        links = out[("metric", m.id)]
        public[m.id] = metric_public(m, links["entity"], links["industry_chain"])
        render(m, public[m.id])

    # A chain's metrics and events are those linking to it, plus metrics whose subject it is.
    for m in metrics:
        if (
            m.subject_type == "industry_chain"
            and m.id not in inbound[("industry_chain", m.subject)]["metric"]
        ):
            inbound[("industry_chain", m.subject)]["metric"].append(m.id)
        if m.subject_type == "entity" and m.id not in inbound[("entity", m.subject)]["metric"]:
            inbound[("entity", m.subject)]["metric"].append(m.id)

    for row in rows:
        if isinstance(row, Indicator):
            observed = series[row.id]
            render(
                row,
                IndicatorPublic(
                    id=row.id,
                    name=Bilingual(zh=row.name_zh, en=row.name_en),
                    category=row.category,
                    unit=row.unit,
                    description=Note(en=row.description_en) if row.description_en else None,
                    observations=len(observed),
                    latest_actual=summary(
                        latest([m for m in observed if m.kind == "actual"]), public
                    ),
                    latest_target=summary(
                        latest([m for m in observed if m.kind == "target"]), public
                    ),
                ),
            )
        elif isinstance(row, Entity):
            ins = inbound[("entity", row.id)]
            render(
                row,
                EntityPublic(
                    id=row.id,
                    type=row.type,
                    name=Bilingual(zh=row.name_zh, en=row.name_en),
                    parent=row.parent,
                    as_written=row.as_written,
                    children=sorted(children[("entity", row.id)]),
                    source=_source(row),
                    mentioned_by=Mentions(
                        metrics=sorted(ins["metric"]),
                        events=sorted(ins["event"]),
                        industry_chains=sorted(ins["industry_chain"]),
                    ),
                ),
            )
        elif isinstance(row, IndustryChain):
            ins = inbound[("industry_chain", row.id)]
            links = out[("industry_chain", row.id)]
            related = sorted(set(links["industry_chain"]) | set(ins["industry_chain"]))
            render(
                row,
                ChainPublic(
                    id=row.id,
                    kind=row.kind,
                    name=Bilingual(zh=row.name_zh, en=row.name_en),
                    parent=row.parent,
                    as_written=row.as_written,
                    children=sorted(children[("industry_chain", row.id)]),
                    related=related,
                    entities=sorted(links["entity"]),
                    metrics=sorted(ins["metric"]),
                    events=sorted(ins["event"]),
                    source=_source(row),
                ),
            )
        elif isinstance(row, Event):
            links = out[("event", row.id)]
            when = None
            if row.date_as_written is not None and row.date_precision is not None:
                when = EventDate(
                    start=row.date_start,
                    end=row.date_end,
                    precision=Precision(row.date_precision),
                    as_written=row.date_as_written,
                )
            render(
                row,
                EventPublic(
                    id=row.id,
                    title=Bilingual(zh=row.title_zh, en=row.title_en),
                    date=when,
                    entities=sorted(links["entity"]),
                    metrics=sorted(links["metric"]),
                    industry_chains=sorted(links["industry_chain"]),
                    source=_source(row),
                ),
            )
        elif isinstance(row, Document):
            paras = paragraphs[row.id]
            render(
                row,
                DocumentPublic(
                    id=row.id,
                    title=Bilingual(zh=row.title_zh, en=row.title_en),
                    publisher=Bilingual(zh=row.publisher_zh, en=row.publisher_en),
                    published=row.published,
                    language=row.language,
                    sha256=row.sha256,
                    origin=row.origin,
                    char_count=row.char_count,
                    paragraphs=[
                        ParagraphPublic(
                            index=p.index, role=p.role, number=p.number, start=p.start, end=p.end
                        )
                        for p in sorted(paras, key=lambda p: p.index)
                    ],
                ),
            )
