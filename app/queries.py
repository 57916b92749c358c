"""Read functions: a session in, payloads and totals out. No HTTP here."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import orjson
from sqlalchemy import ColumnElement, and_, func, or_
from sqlmodel import Session, col, select

from app.models import (
    DatasetInfo,
    Document,
    Entity,
    Event,
    Indicator,
    IndustryChain,
    Link,
    Metric,
)


@dataclass(frozen=True)
class Page:
    """One page of stored payloads and the total matching."""

    payloads: list[str]
    total: int


@dataclass(frozen=True)
class MetricFilter:
    """Filters of GET /v1/metrics (None = not filtered)."""

    indicator: str | None = None
    category: str | None = None
    subject: str | None = None
    kind: str | None = None
    unit: str | None = None
    chain: str | None = None
    start: date | None = None  # period overlaps [start, end]
    end: date | None = None
    q: str | None = None


METRIC_SORTS: dict[str, list[Any]] = {
    "period": [
        col(Metric.period_end).is_(None),
        col(Metric.period_end),
        col(Metric.period_start),
        col(Metric.position),
    ],
    "-period": [
        col(Metric.period_end).is_(None),
        col(Metric.period_end).desc(),
        col(Metric.period_start).desc(),
        col(Metric.position),
    ],
    "value": [col(Metric.value), col(Metric.id)],
    "-value": [col(Metric.value).desc(), col(Metric.id)],
    "id": [col(Metric.id)],
    "-id": [col(Metric.id).desc()],
    "document": [col(Metric.document), col(Metric.position), col(Metric.id)],
}


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def text_match(q: str, *columns: Any) -> ColumnElement[bool]:
    """Case-insensitive substring match on any of the columns."""
    pattern = _like(q)
    return or_(*(col(c).ilike(pattern, escape="\\") for c in columns))


def _overlaps(start_col: Any, end_col: Any, start: date | None, end: date | None) -> list[Any]:
    # An open start ("by end of 2018") counts as the point of its end.
    lo = func.coalesce(start_col, end_col)
    conds: list[Any] = [end_col.is_not(None)]
    if start is not None:
        conds.append(end_col >= start)
    if end is not None:
        conds.append(lo <= end)
    return conds


def _page(session: Session, stmt: Any, count_stmt: Any, limit: int, offset: int) -> Page:
    total = session.exec(count_stmt).one()
    payloads = list(session.exec(stmt.limit(limit).offset(offset)).all())
    return Page(payloads, int(total))


def list_metrics(session: Session, f: MetricFilter, sort: str, limit: int, offset: int) -> Page:
    """Observations matching the filters, in the chosen order."""
    conds: list[Any] = []
    for column, value in (
        (Metric.indicator, f.indicator),
        (Metric.category, f.category),
        (Metric.subject, f.subject),
        (Metric.kind, f.kind),
        (Metric.unit, f.unit),
    ):
        if value is not None:
            conds.append(col(column) == value)
    if f.chain is not None:
        linked = select(Link.source_id).where(
            Link.source_type == "metric",
            Link.target_type == "industry_chain",
            Link.target_id == f.chain,
        )
        conds.append(or_(col(Metric.id).in_(linked), col(Metric.subject) == f.chain))
    if f.start is not None or f.end is not None:
        conds.extend(_overlaps(col(Metric.period_start), col(Metric.period_end), f.start, f.end))
    if f.q:
        conds.append(
            text_match(
                f.q, Metric.name_zh, Metric.name_en, Metric.quote, Metric.as_written, Metric.id
            )
        )
    where = and_(*conds) if conds else and_(True)
    stmt = select(Metric.payload).where(where).order_by(*METRIC_SORTS[sort])
    return _page(
        session, stmt, select(func.count()).select_from(Metric).where(where), limit, offset
    )


def get_payload(session: Session, model: Any, record_id: str) -> str | None:
    """The stored payload of one record, or None."""
    return session.exec(select(model.payload).where(model.id == record_id)).first()


def first_payload(session: Session, model: Any, preferred: str | None = None) -> str | None:
    """The preferred record's payload if it exists, else the first by id."""
    if preferred is not None:
        found = get_payload(session, model, preferred)
        if found is not None:
            return found
    return session.exec(select(model.payload).order_by(model.id).limit(1)).first()


def get_metric(session: Session, metric_id: str) -> str | None:
    """One observation's payload."""
    return get_payload(session, Metric, metric_id)


def list_indicators(
    session: Session, category: str | None, q: str | None, limit: int, offset: int
) -> Page:
    """Series, by id."""
    conds: list[Any] = []
    if category is not None:
        conds.append(col(Indicator.category) == category)
    if q:
        conds.append(text_match(q, Indicator.name_zh, Indicator.name_en, Indicator.id))
    where = and_(*conds) if conds else and_(True)
    stmt = select(Indicator.payload).where(where).order_by(col(Indicator.id))
    return _page(
        session, stmt, select(func.count()).select_from(Indicator).where(where), limit, offset
    )


def indicator_observations(session: Session, indicator_id: str) -> list[str]:
    """All observations of a series in period order."""
    stmt = (
        select(Metric.payload)
        .where(Metric.indicator == indicator_id)
        .order_by(*METRIC_SORTS["period"])
    )
    return list(session.exec(stmt).all())


def list_chains(
    session: Session, kind: str | None, parent: str | None, q: str | None, limit: int, offset: int
) -> Page:
    """Industry chains, clusters and systems, in document order."""
    conds: list[Any] = []
    if kind is not None:
        conds.append(col(IndustryChain.kind) == kind)
    if parent is not None:
        conds.append(col(IndustryChain.parent) == parent)
    if q:
        conds.append(
            text_match(
                q,
                IndustryChain.name_zh,
                IndustryChain.name_en,
                IndustryChain.as_written,
                IndustryChain.id,
            )
        )
    where = and_(*conds) if conds else and_(True)
    stmt = (
        select(IndustryChain.payload)
        .where(where)
        .order_by(col(IndustryChain.document), col(IndustryChain.start), col(IndustryChain.id))
    )
    return _page(
        session, stmt, select(func.count()).select_from(IndustryChain).where(where), limit, offset
    )


def list_events(
    session: Session,
    start: date | None,
    end: date | None,
    q: str | None,
    entity: str | None,
    limit: int,
    offset: int,
) -> Page:
    """Events in date order; undated events last, in document order."""
    conds: list[Any] = []
    if start is not None or end is not None:
        conds.extend(_overlaps(col(Event.date_start), col(Event.date_end), start, end))
    if q:
        conds.append(text_match(q, Event.title_zh, Event.title_en, Event.quote, Event.id))
    if entity is not None:
        conds.append(
            col(Event.id).in_(
                select(Link.source_id).where(
                    Link.source_type == "event",
                    Link.target_type == "entity",
                    Link.target_id == entity,
                )
            )
        )
    where = and_(*conds) if conds else and_(True)
    stmt = (
        select(Event.payload)
        .where(where)
        .order_by(
            col(Event.date_end).is_(None),
            func.coalesce(col(Event.date_start), col(Event.date_end)),
            col(Event.date_end),
            col(Event.position),
            col(Event.id),
        )
    )
    return _page(session, stmt, select(func.count()).select_from(Event).where(where), limit, offset)


def list_entities(
    session: Session, type_: str | None, q: str | None, limit: int, offset: int
) -> Page:
    """Entities, by id."""
    conds: list[Any] = []
    if type_ is not None:
        conds.append(col(Entity.type) == type_)
    if q:
        conds.append(text_match(q, Entity.name_zh, Entity.name_en, Entity.as_written, Entity.id))
    where = and_(*conds) if conds else and_(True)
    stmt = select(Entity.payload).where(where).order_by(col(Entity.id))
    return _page(
        session, stmt, select(func.count()).select_from(Entity).where(where), limit, offset
    )


def list_documents(session: Session, limit: int, offset: int) -> Page:
    """Documents, newest first."""
    stmt = select(Document.payload).order_by(col(Document.published).desc(), col(Document.id))
    return _page(session, stmt, select(func.count()).select_from(Document), limit, offset)


def document_text(session: Session, document_id: str) -> str | None:
    """The stored verbatim text of a document."""
    return session.exec(select(Document.text).where(Document.id == document_id)).first()


def dataset_version(session: Session) -> str | None:
    """The content hash of the loaded dataset."""
    return session.exec(select(DatasetInfo.value).where(DatasetInfo.key == "version")).first()


def counts(session: Session) -> dict[str, int]:
    """Records per resource."""
    out = {}
    for name, model in (
        ("metrics", Metric),
        ("indicators", Indicator),
        ("industry_chains", IndustryChain),
        ("events", Event),
        ("entities", Entity),
        ("documents", Document),
    ):
        out[name] = int(session.exec(select(func.count()).select_from(model)).one())
    return out


def document_summaries(session: Session) -> list[dict[str, Any]]:
    """Id, title, publisher, date and hash of every document, newest first."""
    stmt = select(Document.payload).order_by(col(Document.published).desc(), col(Document.id))
    keys = ("id", "title", "publisher", "published", "sha256")
    return [{k: d[k] for k in keys} for d in map(orjson.loads, session.exec(stmt).all())]
