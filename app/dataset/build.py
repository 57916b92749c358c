"""Resolve curated records into table rows: offsets, values, periods and links derived by code."""

import hashlib
import json
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlmodel import SQLModel

from app.dataset.document import ParagraphSpan, SegmentationError, segment
from app.dataset.errors import DatasetError, Problem
from app.dataset.files import DocumentBundle, SeedBundle
from app.dataset.payloads import render_payloads
from app.dataset.periods import PeriodError, resolve_period
from app.dataset.quantity import QuantityError, parse_quantity
from app.dataset.search_index import search_entries
from app.models import (
    DatasetInfo,
    Document,
    Entity,
    Event,
    Indicator,
    IndustryChain,
    Link,
    Located,
    Metric,
    Paragraph,
    ParagraphRole,
    Qualifier,
    Unit,
)


@dataclass(frozen=True)
class Span:
    """A covering span in a document: a quantity, period, date or name the data accounts for."""

    start: int
    end: int
    record: str


@dataclass
class BuiltDataset:
    """Every row of the database, plus the spans the coverage check needs."""

    version: str
    rows: list[SQLModel]
    texts: dict[str, str]
    paragraphs: dict[str, list[ParagraphSpan]]
    spans: dict[str, list[Span]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return dict(Counter(type(r).__tablename__ for r in self.rows))  # type: ignore[misc]


class _Doc:
    """Locates text in one document and collects problems with file and record names."""

    def __init__(self, bundle: DocumentBundle, problems: list[Problem]) -> None:
        self.bundle = bundle
        self.id = bundle.meta.id
        self.text = bundle.text
        self.problems = problems
        self.paragraphs: list[ParagraphSpan] = []
        meta = bundle.meta
        try:
            self.paragraphs = segment(
                self.text,
                title_line=meta.title_line,
                dateline=meta.dateline,
                body_first=meta.body_first,
                body_last=meta.body_last,
            )
        except SegmentationError as exc:
            self.fail("document.toml", "document", "body_first", str(exc))
        self.body = [p for p in self.paragraphs if p.role is ParagraphRole.body]
        self.spans: list[Span] = []

    def fail(self, file: str, record: str, fld: str, message: str) -> None:
        self.problems.append(Problem(f"documents/{self.id}/{file}", record, fld, message))

    def paragraph_text(self, p: ParagraphSpan) -> str:
        return self.text[p.start : p.end]

    def locate(self, rec: Located, file: str, record: str) -> tuple[ParagraphSpan, int] | None:
        """Find the quote: unique in the body, or unique in the given paragraph."""
        if rec.paragraph is not None:
            if rec.paragraph > len(self.body):
                self.fail(file, record, "paragraph", f"the body has {len(self.body)} paragraphs")
                return None
            candidates = [self.body[rec.paragraph - 1]]
        else:
            candidates = self.body
        hits: list[tuple[ParagraphSpan, int]] = []
        for p in candidates:
            ptext = self.paragraph_text(p)
            i = ptext.find(rec.quote)
            while i != -1:
                hits.append((p, p.start + i))
                i = ptext.find(rec.quote, i + 1)
        where = f"body paragraph {rec.paragraph}" if rec.paragraph else "the body"
        if not hits:
            self.fail(file, record, "quote", f"not found verbatim in {where}: {rec.quote!r}")
            return None
        if len(hits) > 1:
            numbers = sorted({p.number for p, _ in hits if p.number})
            self.fail(
                file,
                record,
                "quote",
                f"occurs {len(hits)} times in {where} (paragraphs {numbers}); "
                "make it longer or set paragraph",
            )
            return None
        return hits[0]

    def inner(
        self,
        needle: str,
        hay_start: int,
        hay_end: int,
        occurrence: int | None,
        file: str,
        record: str,
        fld: str,
    ) -> tuple[int, int] | None:
        """Find needle inside text[hay_start:hay_end]; ambiguity is an error unless chosen."""
        hay = self.text[hay_start:hay_end]
        found = []
        i = hay.find(needle)
        while i != -1:
            found.append(i)
            i = hay.find(needle, i + 1)
        if not found:
            self.fail(file, record, fld, f"{needle!r} does not occur in {hay!r}")
            return None
        if occurrence is None:
            if len(found) > 1:
                self.fail(
                    file, record, fld, f"{needle!r} occurs {len(found)} times; set {fld}_occurrence"
                )
                return None
            occurrence = 0
        if occurrence >= len(found):
            self.fail(
                file, record, f"{fld}_occurrence", f"{needle!r} occurs only {len(found)} time(s)"
            )
            return None
        start = hay_start + found[occurrence]
        return start, start + len(needle)

    def named(self, rec: Any, file: str, kind: str) -> tuple[dict[str, Any], ParagraphSpan] | None:
        """Locate a record's quote and the as_written span inside it; return source columns."""
        record = f"{kind} id={rec.id!r}"
        hit = self.locate(rec, file, record)
        if hit is None:
            return None
        para, start = hit
        explicit = "as_written_occurrence" in rec.model_fields_set
        occ = rec.as_written_occurrence if explicit else None
        inner = self.inner(
            rec.as_written, start, start + len(rec.quote), occ, file, record, "as_written"
        )
        if inner is None:
            return None
        self.spans.append(Span(inner[0], inner[1], f"{kind}:{rec.id}"))
        return _source_columns(self.id, para, start, rec.quote), para


class _Linker:
    """Records a typed link per reference, and a problem for each that resolves to nothing."""

    def __init__(
        self,
        doc: _Doc,
        links: set[tuple[str, str, str, str]],
        targets: dict[str, tuple[str, Collection[str]]],
    ) -> None:
        self.doc = doc
        self.links = links
        self.targets = targets

    def __call__(
        self, file: str, record: str, source: tuple[str, str], fld: str, ids: list[str]
    ) -> None:
        target_type, known = self.targets[fld]
        for target in ids:
            if target not in known:
                self.doc.fail(file, record, fld, f"unknown {target_type} {target!r}")
            self.links.add((*source, target_type, target))


def _expression_span(
    doc: "_Doc", expr: str, para: ParagraphSpan, q_start: int, q_end: int
) -> tuple[int, int] | None:
    """Where a period or date expression stands: inside the quote if it is there, else the
    nearest occurrence before the quote in its paragraph, else the first after it."""
    inside = doc.text.find(expr, q_start, q_end)
    if inside != -1:
        return inside, inside + len(expr)
    before = doc.text.rfind(expr, para.start, q_start + len(expr) - 1)
    if before != -1:
        return before, before + len(expr)
    after = doc.text.find(expr, q_start, para.end)
    return (after, after + len(expr)) if after != -1 else None


def _source_columns(doc_id: str, para: ParagraphSpan, start: int, quote: str) -> dict[str, Any]:
    return {
        "document": doc_id,
        "paragraph": para.number,
        "start": start,
        "end": start + len(quote),
        "quote": quote,
    }


def build(seed: SeedBundle) -> BuiltDataset:
    """Resolve and check every curated record; raise DatasetError listing all problems."""
    problems: list[Problem] = []
    rows: list[SQLModel] = []
    links: set[tuple[str, str, str, str]] = set()

    indicators = {i.id: i for i in seed.indicators}
    dupes = [k for k, n in Counter(i.id for i in seed.indicators).items() if n > 1]
    for d in dupes:
        problems.append(Problem("indicators.toml", f"id={d!r}", "id", "duplicate id"))

    all_entities = {e.id: e for b in seed.documents for e in b.entities}
    all_chains = {c.id: c for b in seed.documents for c in b.chains}
    all_metrics = {m.id: m for b in seed.documents for m in b.metrics}
    targets: dict[str, tuple[str, Collection[str]]] = {
        "entities": ("entity", all_entities.keys()),
        "chains": ("industry_chain", all_chains.keys()),
        "related": ("industry_chain", all_chains.keys()),
        "metrics": ("metric", all_metrics.keys()),
    }
    for kind, ids in (
        ("entity", [e.id for b in seed.documents for e in b.entities]),
        ("chain", [c.id for b in seed.documents for c in b.chains]),
        ("metric", [m.id for b in seed.documents for m in b.metrics]),
        ("event", [e.id for b in seed.documents for e in b.events]),
        ("document", [b.meta.id for b in seed.documents]),
    ):
        for d, n in Counter(ids).items():
            if n > 1:
                problems.append(
                    Problem(f"{kind} records", f"id={d!r}", "id", f"duplicate id ({n} records)")
                )

    used_indicators: set[str] = set()
    texts: dict[str, str] = {}
    paragraphs: dict[str, list[ParagraphSpan]] = {}
    spans: dict[str, list[Span]] = {}

    for bundle in seed.documents:
        doc = _Doc(bundle, problems)
        link = _Linker(doc, links, targets)
        meta = bundle.meta
        digest = hashlib.sha256(bundle.text.encode("utf-8")).hexdigest()
        if digest != meta.sha256:
            doc.fail(
                "document.toml",
                "document",
                "sha256",
                f"{meta.source_file} hashes to {digest}, not the recorded {meta.sha256}",
            )
        if bundle.folder.name != meta.id:
            doc.fail(
                "document.toml",
                "document",
                "id",
                f"must equal its folder name {bundle.folder.name!r}",
            )
        texts[meta.id] = bundle.text
        paragraphs[meta.id] = doc.paragraphs
        rows.append(
            Document(
                id=meta.id,
                origin=meta.origin,
                sha256=meta.sha256,
                published=meta.published,
                language=meta.language,
                title_zh=meta.title.zh,
                title_en=meta.title.en,
                publisher_zh=meta.publisher.zh,
                publisher_en=meta.publisher.en,
                text=bundle.text,
                char_count=len(bundle.text),
            )
        )
        rows.extend(
            Paragraph(
                document=meta.id,
                index=p.index,
                role=p.role,
                number=p.number,
                start=p.start,
                end=p.end,
            )
            for p in doc.paragraphs
        )

        for e in bundle.entities:
            found = doc.named(e, "entities.toml", "entity")
            if e.parent is not None and e.parent not in all_entities:
                doc.fail(
                    "entities.toml", f"entity id={e.id!r}", "parent", f"unknown entity {e.parent!r}"
                )
            if found is not None:
                rows.append(
                    Entity(
                        id=e.id,
                        type=e.type,
                        parent=e.parent,
                        as_written=e.as_written,
                        name_zh=e.name.zh,
                        name_en=e.name.en,
                        **found[0],
                    )
                )

        for c in bundle.chains:
            record = f"chain id={c.id!r}"
            found = doc.named(c, "chains.toml", "chain")
            if c.parent is not None and c.parent not in all_chains:
                doc.fail("chains.toml", record, "parent", f"unknown chain {c.parent!r}")
            link("chains.toml", record, ("industry_chain", c.id), "related", c.related)
            link("chains.toml", record, ("industry_chain", c.id), "entities", c.entities)
            if found is not None:
                rows.append(
                    IndustryChain(
                        id=c.id,
                        kind=c.kind,
                        parent=c.parent,
                        as_written=c.as_written,
                        name_zh=c.name.zh,
                        name_en=c.name.en,
                        **found[0],
                    )
                )

        for m in bundle.metrics:
            record = f"metric id={m.id!r}"
            file = "metrics.toml"
            found = doc.named(m, file, "metric")
            ind = indicators.get(m.indicator)
            if ind is None:
                doc.fail(file, record, "indicator", f"unknown indicator {m.indicator!r}")
            used_indicators.add(m.indicator)
            if m.subject in all_entities:
                subject_type = "entity"
            elif m.subject in all_chains:
                subject_type = "industry_chain"
            else:
                subject_type = ""
                doc.fail(file, record, "subject", f"no entity or chain has id {m.subject!r}")
            link(file, record, ("metric", m.id), "entities", m.entities)
            link(file, record, ("metric", m.id), "chains", m.chains)
            try:
                q = parse_quantity(m.as_written)
            except QuantityError as exc:
                doc.fail(file, record, "as_written", f"cannot parse {m.as_written!r}: {exc}")
                continue
            unit: Unit | None = Unit(q.unit) if q.unit is not None else None
            if unit is None:
                if m.unit is None:
                    doc.fail(
                        file,
                        record,
                        "unit",
                        f"{m.as_written!r} writes no unit; give unit and a note",
                    )
                    continue
                if m.note is None:
                    doc.fail(file, record, "note", "an implied unit needs a note saying so")
                unit = m.unit
            elif m.unit is not None and m.unit != unit:
                doc.fail(
                    file,
                    record,
                    "unit",
                    f"the text says {unit.value}, the record says {m.unit.value}",
                )
                continue
            if ind is not None and ind.unit != unit:
                doc.fail(
                    file,
                    record,
                    "as_written",
                    f"parses to unit {unit.value}, but indicator {ind.id!r} is in {ind.unit.value}",
                )
            period_cols: dict[str, Any] = {}
            if found is not None and m.period is not None:
                src, para = found
                inner = _expression_span(doc, m.period, para, src["start"], src["end"])
                if inner is None:
                    doc.fail(
                        file,
                        record,
                        "period",
                        f"{m.period!r} does not occur in the quote's paragraph",
                    )
                else:
                    doc.spans.append(Span(inner[0], inner[1], f"metric:{m.id}:period"))
                try:
                    per = resolve_period(m.period, meta.published)
                    period_cols = {
                        "period_start": per.start,
                        "period_end": per.end,
                        "period_precision": per.precision,
                        "period_label_zh": per.label_zh,
                        "period_label_en": per.label_en,
                        "period_as_written": m.period,
                    }
                except PeriodError as exc:
                    doc.fail(file, record, "period", str(exc))
            if found is None or ind is None or not subject_type:
                continue
            src = found[0]
            name = m.name or ind.name
            rows.append(
                Metric(
                    id=m.id,
                    indicator=m.indicator,
                    subject=m.subject,
                    subject_type=subject_type,
                    kind=m.kind,
                    as_written=m.as_written,
                    name_zh=name.zh,
                    name_en=name.en,
                    category=ind.category,
                    value=float(q.value),
                    value_high=float(q.value_high) if q.value_high is not None else None,
                    unit=unit,
                    qualifier=Qualifier(q.qualifier),
                    note_en=m.note.en if m.note else None,
                    note_zh=m.note.zh if m.note else None,
                    position=src["start"],
                    **period_cols,
                    **src,
                )
            )

        for ev in bundle.events:
            record = f"event id={ev.id!r}"
            file = "events.toml"
            hit = doc.locate(ev, file, record)
            link(file, record, ("event", ev.id), "entities", ev.entities)
            link(file, record, ("event", ev.id), "metrics", ev.metrics)
            link(file, record, ("event", ev.id), "chains", ev.chains)
            if hit is None:
                continue
            para, start = hit
            date_cols: dict[str, Any] = {}
            if ev.date is not None:
                inner = _expression_span(doc, ev.date, para, start, start + len(ev.quote))
                if inner is None:
                    doc.fail(
                        file, record, "date", f"{ev.date!r} does not occur in the quote's paragraph"
                    )
                else:
                    doc.spans.append(Span(inner[0], inner[1], f"event:{ev.id}:date"))
                try:
                    per = resolve_period(ev.date, meta.published)
                    date_cols = {
                        "date_start": per.start,
                        "date_end": per.end,
                        "date_precision": per.precision,
                        "date_as_written": ev.date,
                    }
                except PeriodError as exc:
                    doc.fail(file, record, "date", str(exc))
            rows.append(
                Event(
                    id=ev.id,
                    title_zh=ev.title.zh,
                    title_en=ev.title.en,
                    position=start,
                    **date_cols,
                    **_source_columns(meta.id, para, start, ev.quote),
                )
            )
        spans[meta.id] = doc.spans

    for ind_id, ind in indicators.items():
        if ind_id not in used_indicators:
            problems.append(
                Problem("indicators.toml", f"id={ind_id!r}", "id", "indicator has no observations")
            )
        rows.append(
            Indicator(
                id=ind.id,
                name_zh=ind.name.zh,
                name_en=ind.name.en,
                description_en=ind.description.en if ind.description else None,
                category=ind.category,
                unit=ind.unit,
            )
        )
    rows.extend(
        Link(source_type=a, source_id=b, target_type=c, target_id=d) for a, b, c, d in sorted(links)
    )

    if problems:
        raise DatasetError(problems)
    assign_ranks(rows)
    render_payloads(rows)
    rows.extend(search_entries(rows))
    unrendered = [r for r in rows if getattr(r, "payload", None) == ""]
    if unrendered:
        raise RuntimeError(f"{len(unrendered)} rows have no payload")  # a bug, not bad data
    version = content_hash(rows)
    rows.append(DatasetInfo(key="version", value=version))
    # Totals of the unfiltered lists, so no request counts a whole table.
    totals = Counter(str(r.__tablename__) for r in rows)
    rows.extend(DatasetInfo(key=f"rows:{t}", value=str(n)) for t, n in sorted(totals.items()))
    return BuiltDataset(version=version, rows=rows, texts=texts, paragraphs=paragraphs, spans=spans)


def assign_ranks(rows: list[SQLModel]) -> None:
    """Precompute the list orders, so a page is read from an index instead of sorted."""
    metrics = [r for r in rows if isinstance(r, Metric)]

    def tie(m: Metric) -> tuple[str, int, str]:
        return (m.document, m.position, m.id)

    def day(d: date | None) -> int:
        return d.toordinal() if d is not None else 0

    ascending = sorted(
        metrics,
        key=lambda m: (m.period_end is None, day(m.period_end), day(m.period_start), *tie(m)),
    )
    descending = sorted(
        metrics,
        key=lambda m: (m.period_end is None, -day(m.period_end), -day(m.period_start), *tie(m)),
    )
    for i, m in enumerate(ascending):
        m.period_rank = i
    for i, m in enumerate(descending):
        m.period_rank_desc = i
    events = [r for r in rows if isinstance(r, Event)]
    timeline = sorted(
        events,
        key=lambda e: (
            e.date_end is None,
            day(e.date_start or e.date_end),
            day(e.date_end),
            e.document,
            e.position,
            e.id,
        ),
    )
    for i, e in enumerate(timeline):
        e.rank = i


def content_hash(rows: list[SQLModel]) -> str:
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
