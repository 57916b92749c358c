"""One step per kind of record: a curated record in, its public model out.

Each step locates the quote, derives what the text gives (values by the quantity parser, periods
by the period resolver), records the record's own links, and returns the public model with the
fields that need other records (children, what mentions it, series summaries) still empty; the
finishing step (app/dataset/finish.py) fills those.
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from app.dataset.curated import ChainSeed, EntitySeed, EventSeed, IndicatorSeed, MetricSeed
from app.dataset.locate import Locator
from app.dataset.periods import PeriodError, ResolvedPeriod, resolve_period
from app.dataset.quantity import QuantityError, parse_quantity
from app.dataset.reference import reference_period
from app.models import (
    ChainPublic,
    EntityPublic,
    EventDate,
    EventPublic,
    IndicatorPublic,
    Mentions,
    MetricPublic,
    Source,
)
from app.vocabulary import RecordType

LinkRow = tuple[str, str, str, str]  # source type, source id, target type, target id
M = TypeVar("M", bound=BaseModel)


@dataclass
class Links:
    """The typed links of every record, and the ids each kind of reference may name."""

    known: dict[str, tuple[RecordType, Collection[str]]]
    found: set[LinkRow] = field(default_factory=set)

    def add(
        self,
        doc: Locator,
        file: str,
        record: str,
        source: tuple[str, str],
        fld: str,
        ids: list[str],
    ) -> list[str]:
        """Link source to each id of a reference field; an unknown id is a problem."""
        target_type, known = self.known[fld]
        for target in ids:
            if target not in known:
                doc.fail(file, record, fld, f"unknown {target_type.value} {target!r}")
            self.found.add((*source, target_type.value, target))
        return sorted(set(ids))


@dataclass
class Context:
    """What every step of one document needs."""

    doc: Locator
    links: Links
    indicators: dict[str, IndicatorSeed]
    entity_ids: Collection[str]
    chain_ids: Collection[str]
    published: date


def carried(curated: BaseModel, public: type[M], **derived: Any) -> M:
    """A public record from the fields it shares with its curated record, plus derived ones."""
    shared = set(public.model_fields) & set(type(curated).model_fields) - set(derived)
    return public.model_validate({**curated.model_dump(include=shared), **derived})


def _when(
    ctx: Context, expression: str, source: Source, file: str, owner: str, fld: str
) -> ResolvedPeriod | None:
    """Resolve a period or date expression that must stand near its record's quote."""
    kind, rid = owner.split(":")
    record = f"{kind} id={rid!r}"
    ctx.doc.expression(expression, source, file, record, fld, f"{owner}:{fld}")
    try:
        return resolve_period(expression, ctx.published)
    except PeriodError as exc:
        ctx.doc.fail(file, record, fld, str(exc))
        return None


def _named(rec: EntitySeed | ChainSeed, ctx: Context, file: str, kind: str) -> Source | None:
    """Locate a named record's quote and name; its parent must be a record of its own kind."""
    source = ctx.doc.named(rec, file, kind)
    known = ctx.entity_ids if kind == "entity" else ctx.chain_ids
    if rec.parent is not None and rec.parent not in known:
        ctx.doc.fail(file, f"{kind} id={rec.id!r}", "parent", f"unknown {kind} {rec.parent!r}")
    return source


def entity_record(e: EntitySeed, ctx: Context) -> EntityPublic | None:
    """An entity: its name located in its quote."""
    source = _named(e, ctx, "entities.toml", "entity")
    if source is None:
        return None
    nobody = Mentions(metrics=[], events=[], industry_chains=[])
    return carried(e, EntityPublic, children=[], source=source, mentioned_by=nobody)


def chain_record(c: ChainSeed, ctx: Context) -> ChainPublic | None:
    """An industry, cluster or system: its name located, its related records and companies."""
    file, record = "chains.toml", f"chain id={c.id!r}"
    source = _named(c, ctx, file, "chain")
    me = (RecordType.industry_chain.value, c.id)
    related = ctx.links.add(ctx.doc, file, record, me, "related", c.related)
    entities = ctx.links.add(ctx.doc, file, record, me, "entities", c.entities)
    if source is None:
        return None
    return carried(
        c,
        ChainPublic,
        related=related,
        entities=entities,
        source=source,
        children=[],
        metrics=[],
        events=[],
    )


def metric_record(m: MetricSeed, ctx: Context) -> MetricPublic | None:
    """An observation: value, unit and qualifier parsed from as_written; its period resolved."""
    file, record = "metrics.toml", f"metric id={m.id!r}"
    doc = ctx.doc
    source = doc.named(m, file, "metric")
    ind = ctx.indicators.get(m.indicator)
    if ind is None:
        doc.fail(file, record, "indicator", f"unknown indicator {m.indicator!r}")
    if m.subject in ctx.entity_ids:
        subject_type = RecordType.entity.value
    elif m.subject in ctx.chain_ids:
        subject_type = RecordType.industry_chain.value
    else:
        subject_type = ""
        doc.fail(file, record, "subject", f"no entity or chain has id {m.subject!r}")
    me = (RecordType.metric.value, m.id)
    entities = ctx.links.add(doc, file, record, me, "entities", m.entities)
    chains = ctx.links.add(doc, file, record, me, "chains", m.chains)
    try:
        q = parse_quantity(m.as_written)
    except QuantityError as exc:
        doc.fail(file, record, "as_written", f"cannot parse {m.as_written!r}: {exc}")
        return None
    unit = q.unit
    if unit is None:
        if m.unit is None:
            doc.fail(file, record, "unit", f"{m.as_written!r} writes no unit; give unit and a note")
            return None
        if m.note is None:
            doc.fail(file, record, "note", "an implied unit needs a note saying so")
        unit = m.unit
    elif m.unit is not None and m.unit != unit:
        doc.fail(
            file, record, "unit", f"the text says {unit.value}, the record says {m.unit.value}"
        )
        return None
    if ind is not None and ind.unit != unit:
        doc.fail(
            file,
            record,
            "as_written",
            f"parses to unit {unit.value}, but indicator {ind.id!r} is in {ind.unit.value}",
        )
    period = None
    if source is not None and m.period is not None:
        r = _when(ctx, m.period, source, file, f"metric:{m.id}", "period")
        if r is not None and ind is not None:
            period = reference_period(r, m.period, ind.basis, m.kind)
    if source is None or ind is None or not subject_type:
        return None
    return MetricPublic(
        id=m.id,
        indicator=m.indicator,
        name=m.name or ind.name,
        category=ind.category,
        basis=ind.basis,
        subject=m.subject,
        subject_type=subject_type,
        kind=m.kind,
        value=float(q.value),
        value_high=float(q.value_high) if q.value_high is not None else None,
        unit=unit,
        qualifier=q.qualifier,
        as_written=m.as_written,
        period=period,
        source=source,
        entities=entities,
        industry_chains=chains,
        note=m.note,
    )


def event_record(ev: EventSeed, ctx: Context) -> EventPublic | None:
    """An event: its quote located, its date expression resolved (or null)."""
    file, record = "events.toml", f"event id={ev.id!r}"
    source = ctx.doc.locate(ev, file, record)
    me = (RecordType.event.value, ev.id)
    entities = ctx.links.add(ctx.doc, file, record, me, "entities", ev.entities)
    metrics = ctx.links.add(ctx.doc, file, record, me, "metrics", ev.metrics)
    chains = ctx.links.add(ctx.doc, file, record, me, "chains", ev.chains)
    if source is None:
        return None
    when = None
    if ev.date is not None:
        r = _when(ctx, ev.date, source, file, f"event:{ev.id}", "date")
        if r is not None:
            when = EventDate(start=r.start, end=r.end, precision=r.precision, as_written=ev.date)
    return carried(
        ev,
        EventPublic,
        date=when,
        entities=entities,
        metrics=metrics,
        industry_chains=chains,
        source=source,
    )


def indicator_record(ind: IndicatorSeed) -> IndicatorPublic:
    """A series, before its observations are counted and summarised."""
    return carried(ind, IndicatorPublic, observations=0, latest=[])
