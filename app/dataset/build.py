"""The build: curated files in, public records and table rows out, every problem listed."""

import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TypeVar

from sqlmodel import SQLModel

from app.dataset.document import ParagraphSpan
from app.dataset.errors import DatasetError, SeedProblem
from app.dataset.files import DocumentBundle, SeedBundle
from app.dataset.finish import Records, cross_reference, dataset_facts, rows
from app.dataset.locate import Locator, Span
from app.dataset.records import (
    Context,
    Links,
    carried,
    chain_record,
    entity_record,
    event_record,
    indicator_record,
    metric_record,
)
from app.models import DocumentPublic, ParagraphPublic
from app.vocabulary import RecordType as T

R = TypeVar("R")


@dataclass
class BuiltDataset:
    """Every row of the database, plus the spans the coverage check needs."""

    version: str
    rows: list[SQLModel]
    texts: dict[str, str]
    paragraphs: dict[str, list[ParagraphSpan]]
    spans: dict[str, list[Span]] = field(default_factory=dict)
    records: Records = field(default_factory=Records)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return dict(Counter(type(r).__tablename__ for r in self.rows))  # type: ignore[misc]


def build(seed: SeedBundle) -> BuiltDataset:
    """Resolve and check every curated record; raise DatasetError listing all problems."""
    problems = _duplicate_ids(seed)
    indicators = {i.id: i for i in seed.indicators}
    links = Links(
        {
            "entities": (T.entity, {e.id for b in seed.documents for e in b.entities}),
            "chains": (T.industry_chain, {c.id for b in seed.documents for c in b.chains}),
            "related": (T.industry_chain, {c.id for b in seed.documents for c in b.chains}),
            "metrics": (T.metric, {m.id for b in seed.documents for m in b.metrics}),
        }
    )
    records = Records()
    paragraphs: dict[str, list[ParagraphSpan]] = {}
    spans: dict[str, list[Span]] = {}
    for bundle in seed.documents:
        doc = Locator(bundle.meta, bundle.text, problems)
        ctx = Context(
            doc=doc,
            links=links,
            indicators=indicators,
            entity_ids=links.known["entities"][1],
            chain_ids=links.known["chains"][1],
            published=bundle.meta.published,
        )
        records.documents.append(_document(bundle, doc))
        records.texts[bundle.meta.id] = bundle.text
        _keep(records.entities, (entity_record(e, ctx) for e in bundle.entities))
        _keep(records.chains, (chain_record(c, ctx) for c in bundle.chains))
        _keep(records.metrics, (metric_record(m, ctx) for m in bundle.metrics))
        _keep(records.events, (event_record(e, ctx) for e in bundle.events))
        paragraphs[bundle.meta.id] = doc.paragraphs
        spans[bundle.meta.id] = doc.spans
    used = {m.indicator for b in seed.documents for m in b.metrics}
    for ind in seed.indicators:
        if ind.id not in used:
            problems.append(
                SeedProblem(
                    "indicators.toml", f"id={ind.id!r}", "id", "indicator has no observations"
                )
            )
        records.indicators.append(indicator_record(ind))
    if problems:
        raise DatasetError(problems)
    cross_reference(records, links.found)
    table_rows = rows(records, links.found)
    version, facts = dataset_facts(table_rows)
    table_rows.extend(facts)
    return BuiltDataset(version, table_rows, records.texts, paragraphs, spans, records)


def _keep(into: list[R], found: Iterable[R | None]) -> None:
    into.extend(r for r in found if r is not None)


def _duplicate_ids(seed: SeedBundle) -> list[SeedProblem]:
    problems = [
        SeedProblem("indicators.toml", f"id={d!r}", "id", "duplicate id")
        for d, n in Counter(i.id for i in seed.indicators).items()
        if n > 1
    ]
    # Ids are unique across documents: each duplicate names every file that has it.
    for kind, where in (
        ("entity", [(e.id, b, "entities.toml") for b in seed.documents for e in b.entities]),
        ("chain", [(c.id, b, "chains.toml") for b in seed.documents for c in b.chains]),
        ("metric", [(m.id, b, "metrics.toml") for b in seed.documents for m in b.metrics]),
        ("event", [(e.id, b, "events.toml") for b in seed.documents for e in b.events]),
        ("document", [(b.meta.id, b, "document.toml") for b in seed.documents]),
    ):
        files: dict[str, list[str]] = {}
        for id_, bundle, name in where:
            files.setdefault(id_, []).append(f"documents/{bundle.meta.id}/{name}")
        problems += [
            SeedProblem(
                f"{kind} records",
                f"id={d!r}",
                "id",
                f"duplicate id ({len(found)} records: {', '.join(sorted(set(found)))})",
            )
            for d, found in files.items()
            if len(found) > 1
        ]
    return problems


def _document(bundle: DocumentBundle, doc: Locator) -> DocumentPublic:
    """The document record; its stored file must hash as recorded and sit in its own folder."""
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
            "document.toml", "document", "id", f"must equal its folder name {bundle.folder.name!r}"
        )
    paragraphs = [ParagraphPublic.model_validate(asdict(p)) for p in doc.paragraphs]
    return carried(meta, DocumentPublic, char_count=len(bundle.text), paragraphs=paragraphs)
