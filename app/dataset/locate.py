"""Locate curated quotes and expressions in a document: offsets are found, never typed."""

from dataclasses import dataclass
from typing import Protocol

from app.dataset.curated import DocumentSeed
from app.dataset.document import ParagraphSpan, SegmentationError, segment
from app.dataset.errors import SeedProblem
from app.models import Source
from app.vocabulary import ParagraphRole


@dataclass(frozen=True)
class Span:
    """A covering span in a document: a quantity, period, date or name the data accounts for."""

    start: int
    end: int
    record: str


class Quoted(Protocol):
    """A curated record with a quote (and the body paragraph, when the quote is not unique)."""

    quote: str
    paragraph: int | None


class Named(Quoted, Protocol):
    """A curated record with a key expression inside its quote (a name, a quantity)."""

    id: str
    as_written: str

    @property
    def model_fields_set(self) -> set[str]: ...


class Locator:
    """Finds text in one document and collects problems naming file and record."""

    def __init__(self, meta: DocumentSeed, text: str, problems: list[SeedProblem]) -> None:
        self.id = meta.id
        self.text = text
        self.problems = problems
        self.paragraphs: list[ParagraphSpan] = []
        try:
            self.paragraphs = segment(
                text,
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
        """Record a problem of one field of one record of this document's files."""
        self.problems.append(SeedProblem(f"documents/{self.id}/{file}", record, fld, message))

    def locate(self, rec: Quoted, file: str, record: str) -> Source | None:
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
            ptext = self.text[p.start : p.end]
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
        para, start = hits[0]
        assert para.number is not None  # body paragraphs are numbered
        return Source(
            document=self.id,
            paragraph=para.number,
            start=start,
            end=start + len(rec.quote),
            quote=rec.quote,
        )

    def inner(
        self, needle: str, source: Source, occurrence: int | None, file: str, record: str
    ) -> tuple[int, int] | None:
        """Find as_written inside the quote; ambiguity is an error unless an occurrence is set."""
        hay = source.quote
        found = []
        i = hay.find(needle)
        while i != -1:
            found.append(i)
            i = hay.find(needle, i + 1)
        if not found:
            self.fail(file, record, "as_written", f"{needle!r} does not occur in {hay!r}")
            return None
        if occurrence is None:
            if len(found) > 1:
                self.fail(
                    file,
                    record,
                    "as_written",
                    f"{needle!r} occurs {len(found)} times; set as_written_occurrence",
                )
                return None
            occurrence = 0
        if occurrence >= len(found):
            self.fail(
                file,
                record,
                "as_written_occurrence",
                f"{needle!r} occurs only {len(found)} time(s)",
            )
            return None
        start = source.start + found[occurrence]
        return start, start + len(needle)

    def named(self, rec: Named, file: str, kind: str) -> Source | None:
        """Locate a record's quote and its as_written span inside it (a covering span)."""
        record = f"{kind} id={rec.id!r}"
        source = self.locate(rec, file, record)
        if source is None:
            return None
        explicit = "as_written_occurrence" in rec.model_fields_set
        occ: int | None = getattr(rec, "as_written_occurrence", None) if explicit else None
        span = self.inner(rec.as_written, source, occ, file, record)
        if span is None:
            return None
        self.spans.append(Span(span[0], span[1], f"{kind}:{rec.id}"))
        return source

    def expression(
        self, expr: str, source: Source, file: str, record: str, fld: str, label: str
    ) -> None:
        """Find a period or date expression near its quote and record it as a covering span:
        inside the quote if it is there, else the nearest occurrence before the quote in its
        paragraph, else the first after it."""
        para = self.body[source.paragraph - 1]
        inside = self.text.find(expr, source.start, source.end)
        if inside == -1:
            inside = self.text.rfind(expr, para.start, source.start + len(expr) - 1)
        if inside == -1:
            inside = self.text.find(expr, source.start, para.end)
        if inside == -1:
            self.fail(file, record, fld, f"{expr!r} does not occur in the quote's paragraph")
            return
        self.spans.append(Span(inside, inside + len(expr), label))
