"""Split a stored page into paragraphs and mark which are body text."""

from dataclasses import dataclass

from app.vocabulary import ParagraphRole

# Python's str.strip() also strips U+00A0 and U+3000, which the scraped page uses for indents.


@dataclass(frozen=True)
class ParagraphSpan:
    """A non-empty line: its role, body number and code point span (trimmed)."""

    index: int
    role: ParagraphRole
    number: int | None
    start: int
    end: int


class SegmentationError(ValueError):
    """The document's markers do not match its text."""


def split_lines(text: str) -> list[tuple[int, int]]:
    """Return the trimmed (start, end) span of every non-empty line, in order."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            spans.append((offset + lead, offset + lead + len(stripped)))
        offset += len(line) + 1
    return spans


def segment(
    text: str, *, title_line: str, dateline: str, body_first: str, body_last: str
) -> list[ParagraphSpan]:
    """Assign roles: header, title, dateline, body (numbered from 1), footer."""
    spans = split_lines(text)
    lines = [text[s:e] for s, e in spans]

    def find(predicate_text: str, exact: bool, after: int = 0) -> int:
        for i in range(after, len(lines)):
            if (lines[i] == predicate_text) if exact else lines[i].startswith(predicate_text):
                return i
        raise SegmentationError(
            f"no paragraph {'equals' if exact else 'starts with'} {predicate_text!r}"
        )

    title = find(title_line, exact=True)
    date = find(dateline, exact=False, after=title + 1)
    first = find(body_first, exact=False, after=date + 1)
    last = next(
        (i for i in range(len(lines) - 1, first - 1, -1) if lines[i].endswith(body_last)), None
    )
    if last is None:
        raise SegmentationError(f"no paragraph after the body start ends with {body_last!r}")

    result: list[ParagraphSpan] = []
    for i, (s, e) in enumerate(spans):
        if i < title:
            role = ParagraphRole.header
        elif i == title:
            role = ParagraphRole.title
        elif i == date:
            role = ParagraphRole.dateline
        elif first <= i <= last:
            role = ParagraphRole.body
        elif i > last:
            role = ParagraphRole.footer
        else:
            role = ParagraphRole.header
        number = i - first + 1 if role is ParagraphRole.body else None
        result.append(ParagraphSpan(i, role, number, s, e))
    return result
