"""How search compares text: one normal form, its word count, its bigrams; shared by seed and query
(the list filters' `q` compares in the same form).

Text and query are both normalised (casefolded, full-width ASCII as ASCII, hyphens, dashes,
underscores and runs of white space as one space), so "New-energy" and "new  energy" are the
same text; a match is a substring of the normal form. Not NFKC: it would spell Ⅲ as "III", so
"Ⅱ类" would match "Ⅲ类". A Chinese character counts as one word (unit), as does a run of
other letters and digits.
"""

import re
from collections.abc import Iterable

from app.vocabulary import RecordType

SPACE = " "
GRAM_SPACE = "_"  # stands for a space inside a bigram: normal text never holds "_"
# Hyphen-minus, the Unicode hyphens and dashes, the minus sign, and the underscore.
_SEPARATORS = re.compile(r"[\s\x00-\x1f\x7f\-\u2010-\u2015\u2212_]+")
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: ord(SPACE)}
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_UNIT = re.compile(rf"[{_HAN}]|[^\W_{_HAN}]+")

# Ties between equal scores go by type in this order, then by id.
TYPE_ORDER: dict[str, int] = {
    RecordType.metric: 0,
    RecordType.industry_chain: 1,
    RecordType.event: 2,
    RecordType.entity: 3,
}


def normalise(text: str) -> str:
    """The form search compares: casefolded, ASCII-width, separators as single spaces, trimmed."""
    folded = text.translate(_FULL_WIDTH).casefold()
    return _SEPARATORS.sub(SPACE, folded).strip(SPACE)


def filter_text(texts: Iterable[str | None]) -> str:
    """What a list's `q` filter searches: each text's normal form, one a line, so a match (a
    substring of a normalised query, which never holds a line break) never spans two texts."""
    found = (normalise(t) for t in texts if t)
    return "\n".join(dict.fromkeys(t for t in found if t))


def units(normal: str) -> int:
    """Words in a normalised text (a Chinese character is one), at least 1."""
    return max(1, len(_UNIT.findall(normal)))


def bigrams(normal: str) -> list[str]:
    """The distinct two-character substrings of a normalised text, a space written as "_"."""
    marked = normal.replace(SPACE, GRAM_SPACE)
    return sorted({marked[i : i + 2] for i in range(len(marked) - 1)})


def trigrams(normal: str) -> list[str]:
    """The distinct three-character substrings of a normalised text, spaces as they are."""
    return sorted({normal[i : i + 3] for i in range(len(normal) - 2)})
