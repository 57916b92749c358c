"""The finishing step: cross-references, list ranks, rows, search rows, content hash, totals."""

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlmodel import SQLModel

from app.dataset.records import LinkRow
from app.dataset.rendering import row_of
from app.dataset.search_index import search_rows
from app.models import (
    ChainPublic,
    DocumentPublic,
    EntityPublic,
    EventPublic,
    IndicatorPublic,
    LatestValues,
    MetricPublic,
    MetricSummary,
)
from app.store.tables import (
    DatasetInfo,
    Document,
    Entity,
    Event,
    Indicator,
    IndustryChain,
    Link,
    Metric,
    Paragraph,
)
from app.vocabulary import RecordType as T


@dataclass
class Records:
    """Every public record of the dataset, in curated order, and each document's text."""

    documents: list[DocumentPublic] = field(default_factory=list)
    texts: dict[str, str] = field(default_factory=dict)
    entities: list[EntityPublic] = field(default_factory=list)
    chains: list[ChainPublic] = field(default_factory=list)
    metrics: list[MetricPublic] = field(default_factory=list)
    events: list[EventPublic] = field(default_factory=list)
    indicators: list[IndicatorPublic] = field(default_factory=list)


def cross_reference(records: Records, links: set[LinkRow]) -> None:
    """Fill the fields that come from other records: children, mentions, related, series."""
    inbound: dict[tuple[str, str], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for source_type, source_id, target_type, target_id in links:
        inbound[(target_type, target_id)][source_type].add(source_id)
    for m in records.metrics:  # a metric also concerns its subject
        inbound[(m.subject_type, m.subject)][T.metric].add(m.id)
    children: dict[tuple[str, str], list[str]] = defaultdict(list)
    for kind, parented in ((T.entity, records.entities), (T.industry_chain, records.chains)):
        for r in parented:
            if r.parent is not None:
                children[(kind, r.parent)].append(r.id)
    for e in records.entities:
        ins = inbound[(T.entity, e.id)]
        e.children = sorted(children[(T.entity, e.id)])
        e.mentioned_by.metrics = sorted(ins[T.metric])
        e.mentioned_by.events = sorted(ins[T.event])
        e.mentioned_by.industry_chains = sorted(ins[T.industry_chain])
    for c in records.chains:
        ins = inbound[(T.industry_chain, c.id)]
        c.children = sorted(children[(T.industry_chain, c.id)])
        c.related = sorted(set(c.related) | ins[T.industry_chain])
        c.metrics = sorted(ins[T.metric])
        c.events = sorted(ins[T.event])
    series: dict[str, dict[str, list[MetricPublic]]] = defaultdict(lambda: defaultdict(list))
    for m in records.metrics:
        series[m.indicator][m.subject].append(m)
    for ind in records.indicators:
        by_subject = series[ind.id]
        ind.observations = sum(len(observed) for observed in by_subject.values())
        ind.latest = [
            LatestValues(
                subject=subject,
                actual=summary(latest([m for m in observed if m.kind == "actual"])),
                target=summary(latest([m for m in observed if m.kind == "target"])),
            )
            for subject, observed in sorted(by_subject.items())
        ]


def _day(d: date | None) -> int:
    return d.toordinal() if d is not None else 0


def latest(metrics: list[MetricPublic]) -> MetricPublic | None:
    """The observation with the latest period end; if none is dated, the only undated one."""
    dated = [m for m in metrics if m.period and (m.period.end or m.period.start)]
    if dated:
        return max(
            dated,
            key=lambda m: (
                _day(m.period.end or m.period.start) if m.period else 0,
                _day(m.period.start) if m.period else 0,
            ),
        )
    return metrics[0] if len(metrics) == 1 else None


def summary(m: MetricPublic | None) -> MetricSummary | None:
    """A short reference to an observation."""
    if m is None:
        return None
    return MetricSummary.model_validate(m.model_dump(include=set(MetricSummary.model_fields)))


def _ranks(items: list[str]) -> dict[str, int]:
    return {rid: i for i, rid in enumerate(items)}


def rows(records: Records, links: set[LinkRow]) -> list[SQLModel]:
    """Every table row: records with their list ranks, paragraphs, links, search rows."""

    def period(m: MetricPublic, sign: int) -> tuple[object, ...]:
        end = m.period.end if m.period else None
        start = m.period.start if m.period else None
        tie = (m.source.document, m.source.start, m.id)
        return (end is None, sign * _day(end), sign * _day(start), *tie)

    up = _ranks([m.id for m in sorted(records.metrics, key=lambda m: period(m, 1))])
    down = _ranks([m.id for m in sorted(records.metrics, key=lambda m: period(m, -1))])

    def when(e: EventPublic) -> tuple[object, ...]:
        start = e.date.start if e.date else None
        end = e.date.end if e.date else None
        return (end is None, _day(start or end), _day(end), e.source.document, e.source.start, e.id)

    timeline = _ranks([e.id for e in sorted(records.events, key=when)])
    out: list[SQLModel] = []
    for d in records.documents:
        out.append(row_of(Document, d, text=records.texts[d.id]))
        out.extend(Paragraph(document=d.id, **p.model_dump()) for p in d.paragraphs)
    out.extend(row_of(Entity, e) for e in records.entities)
    out.extend(row_of(IndustryChain, c) for c in records.chains)
    out.extend(
        row_of(
            Metric, m, position=m.source.start, period_rank=up[m.id], period_rank_desc=down[m.id]
        )
        for m in records.metrics
    )
    out.extend(
        row_of(Event, e, position=e.source.start, rank=timeline[e.id]) for e in records.events
    )
    out.extend(row_of(Indicator, i) for i in records.indicators)
    out.extend(Link(source_type=a, source_id=b, target_type=c, target_id=d) for a, b, c, d in links)
    out.extend(search_rows(records.metrics, records.chains, records.events, records.entities))
    return out


def content_hash(rows: Iterable[SQLModel]) -> str:
    """SHA-256 over a canonical JSON of every row, independent of load order."""
    canon = sorted(
        json.dumps(
            [type(r).__tablename__, r.model_dump(mode="json")],
            sort_keys=True,
            ensure_ascii=False,
            separators=(",", ":"),
        )
        for r in rows
    )
    h = hashlib.sha256()
    for line in canon:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def dataset_facts(rows: list[SQLModel]) -> tuple[str, list[DatasetInfo]]:
    """The version (content hash of every row), and the rows stating it and the row count of
    every table, so no request counts a whole table."""
    version = content_hash(rows)
    facts = [DatasetInfo(key="version", value=version)]
    totals = Counter(str(r.__tablename__) for r in [*rows, facts[0]])
    facts += [DatasetInfo(key=f"rows:{t}", value=str(n)) for t, n in sorted(totals.items())]
    return version, facts
