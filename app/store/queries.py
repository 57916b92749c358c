"""Read functions of the resources: a reader in, payloads and totals out. No HTTP here."""

from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from sqlalchemy import bindparam, or_
from sqlmodel import col, select

from app.store.paging import (
    Page,
    PageRequest,
    bind_params,
    overlaps,
    page_of,
    text_match,
)
from app.store.reader import Reader
from app.store.tables import (
    Document,
    Entity,
    Event,
    Indicator,
    IndustryChain,
    Link,
    Metric,
)
from app.vocabulary import METRIC_FILTERS, SLUG, MetricSort, RecordType


@dataclass(frozen=True)
class MetricFilter:
    """Filters of GET /v1/metrics (None = not filtered)."""

    indicator: str | None = None
    category: str | None = None
    basis: str | None = None
    subject: str | None = None
    kind: str | None = None
    unit: str | None = None
    chain: str | None = None
    start: date | None = None  # period overlaps [start, end]
    end: date | None = None
    q: str | None = None


METRIC_SORTS: dict[MetricSort, list[Any]] = {
    "period": [col(Metric.period_rank)],
    "-period": [col(Metric.period_rank_desc)],
    "value": [col(Metric.value), col(Metric.id)],
    "-value": [col(Metric.value).desc(), col(Metric.id)],
    "id": [col(Metric.id)],
    "-id": [col(Metric.id).desc()],
    "document": [col(Metric.document), col(Metric.position), col(Metric.id)],
}


def list_metrics(db: Reader, f: MetricFilter, sort: MetricSort, page: PageRequest) -> Page:
    """Observations matching the filters, in the chosen order."""
    params = bind_params(**{fld.name: getattr(f, fld.name) for fld in fields(f)})
    present = frozenset(params)

    def where() -> list[Any]:
        conds: list[Any] = [
            col(getattr(Metric, name)) == bindparam(name)
            for name in METRIC_FILTERS
            if name in present
        ]
        if "chain" in present:
            linked = select(Link.source_id).where(
                Link.source_type == RecordType.metric,
                Link.target_type == RecordType.industry_chain,
                Link.target_id == bindparam("chain"),
            )
            conds.append(or_(col(Metric.id).in_(linked), col(Metric.subject) == bindparam("chain")))
        if "start" in present or "end" in present:
            conds += overlaps(
                col(Metric.period_start),
                col(Metric.period_end),
                "start" in present,
                "end" in present,
            )
        if "q" in present:
            conds.append(text_match(Metric.q_text))
        return conds

    return page_of(
        db,
        (present, sort),
        Metric,
        where,
        lambda: METRIC_SORTS[sort],
        params,
        page,
    )


def get_payload(db: Reader, model: Any, record_id: str) -> str | None:
    """The stored payload of one record, or None (ids are slugs: anything else is found
    nowhere, without asking the database)."""
    if not SLUG.fullmatch(record_id):
        return None
    return db.text(
        ("get", model.__tablename__),
        lambda: select(model.payload).where(model.id == bindparam("id")),
        {"id": record_id},
    )


def first_payload(db: Reader, model: Any, preferred: str | None = None) -> str | None:
    """The preferred record's payload if it exists, else the first by id."""
    if preferred is not None:
        found = get_payload(db, model, preferred)
        if found is not None:
            return found
    return db.text(
        ("first", model.__tablename__),
        lambda: select(model.payload).order_by(model.id).limit(1),
    )


def list_indicators(
    db: Reader, category: str | None, basis: str | None, q: str | None, page: PageRequest
) -> Page:
    """Series, by id."""
    params = bind_params(category=category, basis=basis, q=q)

    def where() -> list[Any]:
        conds: list[Any] = [
            col(getattr(Indicator, name)) == bindparam(name)
            for name in ("category", "basis")
            if name in params
        ]
        if "q" in params:
            conds.append(text_match(Indicator.q_text))
        return conds

    return page_of(
        db,
        (frozenset(params),),
        Indicator,
        where,
        lambda: [col(Indicator.id)],
        params,
        page,
    )


def indicator_detail(db: Reader, indicator_id: str) -> str | None:
    """A series' stored JSON with all its observations as `items`, in period order."""
    payload = get_payload(db, Indicator, indicator_id)
    if payload is None:
        return None
    return payload[:-1] + ',"items":[' + ",".join(indicator_observations(db, indicator_id)) + "]}"


def indicator_observations(db: Reader, indicator_id: str, csv: bool = False) -> list[str]:
    """All observations of a series in period order (JSON payloads, or CSV lines)."""
    column = Metric.csv_row if csv else Metric.payload
    rows = db.rows(
        ("observations", csv),
        lambda: (
            select(column)
            .where(Metric.indicator == bindparam("id"))
            .order_by(col(Metric.period_rank))
        ),
        {"id": indicator_id},
    )
    return [r[0] for r in rows]


def list_chains(
    db: Reader, kind: str | None, parent: str | None, q: str | None, page: PageRequest
) -> Page:
    """Industry chains, clusters and systems, in document order."""
    params = bind_params(kind=kind, parent=parent, q=q)

    def where() -> list[Any]:
        conds: list[Any] = [
            col(getattr(IndustryChain, name)) == bindparam(name)
            for name in ("kind", "parent")
            if name in params
        ]
        if "q" in params:
            conds.append(text_match(IndustryChain.q_text))
        return conds

    return page_of(
        db,
        (frozenset(params),),
        IndustryChain,
        where,
        lambda: [col(IndustryChain.document), col(IndustryChain.start), col(IndustryChain.id)],
        params,
        page,
    )


def list_events(
    db: Reader,
    start: date | None,
    end: date | None,
    q: str | None,
    entity: str | None,
    page: PageRequest,
) -> Page:
    """Events in date order; undated events last, in document order."""
    params = bind_params(start=start, end=end, q=q, entity=entity)

    def where() -> list[Any]:
        conds: list[Any] = []
        if "start" in params or "end" in params:
            conds += overlaps(
                col(Event.date_start), col(Event.date_end), "start" in params, "end" in params
            )
        if "q" in params:
            conds.append(text_match(Event.q_text))
        if "entity" in params:
            conds.append(
                col(Event.id).in_(
                    select(Link.source_id).where(
                        Link.source_type == RecordType.event,
                        Link.target_type == RecordType.entity,
                        Link.target_id == bindparam("entity"),
                    )
                )
            )
        return conds

    return page_of(
        db,
        (frozenset(params),),
        Event,
        where,
        lambda: [col(Event.rank)],
        params,
        page,
    )


def list_entities(db: Reader, type_: str | None, q: str | None, page: PageRequest) -> Page:
    """Entities, by id."""
    params = bind_params(type=type_, q=q)

    def where() -> list[Any]:
        conds: list[Any] = []
        if "type" in params:
            conds.append(col(Entity.type) == bindparam("type"))
        if "q" in params:
            conds.append(text_match(Entity.q_text))
        return conds

    return page_of(
        db,
        (frozenset(params),),
        Entity,
        where,
        lambda: [col(Entity.id)],
        params,
        page,
    )


def list_documents(db: Reader, page: PageRequest) -> Page:
    """Documents, newest first."""
    return page_of(
        db,
        (),
        Document,
        list,
        lambda: [col(Document.published).desc(), col(Document.id)],
        {},
        page,
    )


def document_text(db: Reader, document_id: str) -> str | None:
    """The stored verbatim text of a document."""
    if not SLUG.fullmatch(document_id):
        return None
    return db.text(
        "document_text",
        lambda: select(Document.text).where(Document.id == bindparam("id")),
        {"id": document_id},
    )
