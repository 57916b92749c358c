"""Query parameters, validated at the edge: one rule per kind, the same on every backend.

- **Text** (`q`): no control characters (U+0000–U+001F, U+007F) anywhere; spaces (U+0020 and the
  ideographic U+3000) around it are ignored; what remains may not be empty (two characters for
  `/v1/search`); 100 characters at most. Anything else is a 422.
- **Ids** (`indicator`, `subject`, `chain`, `parent`, `entity`): a record id, i.e. a slug
  (`^[a-z0-9]+(-[a-z0-9]+)*$`); an empty value is a 422 like any other malformed one.
- **Integers** (`limit`, `offset`, `year`): decimal digits only (`0.0`, `1e2` are 422).
- **Dates** (`from`, `to`): `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, and a real day.

The OpenAPI document states each of these as a pattern the raw value must match.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal

from annotated_types import Ge, Le
from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BeforeValidator

from app.vocabulary import SLUG_PATTERN

SPACES = " \u3000"
CONTROL = r"\x00-\x1f\x7f"
SOLID = rf"[^{CONTROL}\x20\u3000]"  # neither a control character nor a space
ANY = rf"[^{CONTROL}]"
TEXT_PATTERN = rf"^{ANY}*{SOLID}{ANY}*$"
SEARCH_PATTERN = rf"^[{SPACES}]*{SOLID}{ANY}*{SOLID}[{SPACES}]*$"


def _digits(value: object) -> object:
    """Integers come as decimal digits: `0.0` or `+1` are not an integer parameter."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]+", value):
        raise ValueError("must be written with decimal digits only")
    return value


def _strip(value: str | None) -> str | None:
    return value.strip(SPACES) if value is not None else None


# Bounded integers. The bounds sit on the integer itself, so that OpenAPI shows them as JSON
# Schema's `minimum`/`maximum`, also inside `anyOf` and beside a validator (given to `Query(ge=,
# le=)` next to `Digits`, FastAPI writes them out as `ge`/`le`, which are not schema keywords).
PageSize = Annotated[int, Ge(1), Le(500)]
Skip = Annotated[int, Ge(0), Le(1_000_000)]
YearNumber = Annotated[int, Ge(1900), Le(2100)]


Digits = BeforeValidator(_digits)
Limit = Annotated[
    PageSize | None,
    Digits,
    Query(
        description="Page size (1–500). JSON pages hold 50 unless given; CSV and NDJSON exports "
        "are the whole filtered, sorted list unless given.",
    ),
]
Offset = Annotated[Skip, Digits, Query(description="Items to skip.")]
Bom = Annotated[
    bool,
    Query(
        description="`true` prefixes CSV with the UTF-8 byte-order mark, for Excel (Windows shows "
        "Chinese as mojibake without it); Python's csv and pandas read it either way."
    ),
]
ListFormat = Annotated[
    Literal["json", "csv", "ndjson"] | None,
    Query(
        description="`csv` (same as `Accept: text/csv`) or `ndjson` (`Accept: "
        "application/x-ndjson`, one JSON record a line); JSON by default."
    ),
]
RecordFormat = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for one CSV row (same as `Accept: text/csv`); JSON by default."),
]


@dataclass
class Paging:
    """What every list takes: the page, and the export's form (read by negotiation)."""

    limit: Limit = None
    offset: Offset = 0
    format: ListFormat = None
    bom: Bom = False


@dataclass
class RecordExport:
    """What every record route takes: its form (read by negotiation)."""

    format: RecordFormat = None
    bom: Bom = False


async def _paging(
    limit: Limit = None, offset: Offset = 0, format: ListFormat = None, bom: Bom = False
) -> Paging:
    return Paging(limit, offset, format, bom)


async def _record_export(format: RecordFormat = None, bom: Bom = False) -> RecordExport:
    return RecordExport(format, bom)


# Dependencies as coroutines: FastAPI would run a class (a sync callable) in a worker thread,
# a hop that costs more than the whole query (bench/analysis.md).
PagingDep = Annotated[Paging, Depends(_paging)]
RecordExportDep = Annotated[RecordExport, Depends(_record_export)]

TextQuery = Annotated[
    str | None,
    Query(
        pattern=TEXT_PATTERN,
        max_length=100,
        description="Text in a record's names (zh and en), expression, quote or id, compared "
        "in search's normal form (case, full width, hyphens and spacing ignored); surrounding "
        "spaces ignored; no control characters.",
    ),
    AfterValidator(_strip),
]
# A text shown as given (the badge's label): no control characters and no XML non-characters
# U+FFFE, U+FFFF (XML 1.0 §2.2 `Char`: the SVG must stay well-formed), and not blank.
SHOWN = rf"[^{CONTROL}\ufffe\uffff]"
SHOWN_SOLID = rf"[^{CONTROL}\ufffe\uffff\x20\u3000]"
LABEL_PATTERN = rf"^{SHOWN}*{SHOWN_SOLID}{SHOWN}*$"
Label = Annotated[
    str | None,
    Query(
        pattern=LABEL_PATTERN,
        max_length=100,
        description="Left text, instead of the name (shown as given; no control characters, "
        "not blank).",
    ),
]
SearchText = Annotated[
    str,
    Query(
        pattern=SEARCH_PATTERN,
        max_length=100,
        description="Text to find: two characters or more once surrounding spaces are ignored; "
        "no control characters.",
        examples=["地区生产总值"],
    ),
    AfterValidator(_strip),
]


def id_query(description: str) -> object:
    """A query parameter naming a record by its id."""
    return Query(pattern=SLUG_PATTERN, max_length=100, description=description)


Year = Annotated[
    YearNumber | None, Digits, Query(description="Reference period overlaps this year.")
]
MONTH, DAY = r"(0[1-9]|1[0-2])", r"(0[1-9]|[12][0-9]|3[01])"
DATE_PATTERN = rf"^[0-9]{{4}}(-{MONTH}(-{DAY})?)?$"
# What each pattern asks, in words: a 422 says this rather than the regular expression.
PATTERN_RULES = {
    TEXT_PATTERN: "Must hold a character other than a space, and no control characters "
    "(U+0000–U+001F, U+007F).",
    SEARCH_PATTERN: "Must be at least 2 characters once surrounding spaces are ignored, with no "
    "control characters (U+0000–U+001F, U+007F).",
    LABEL_PATTERN: "Must hold a character other than a space, and no control characters or "
    "U+FFFE, U+FFFF.",
    SLUG_PATTERN: "Must be a record id: lowercase letters and digits in words joined by single "
    "hyphens, such as gdp-growth.",
    DATE_PATTERN: "Must be a date written YYYY, YYYY-MM or YYYY-MM-DD, such as 2021 or 2021-09.",
}
DAY_FORMS = "`YYYY`, `YYYY-MM` or `YYYY-MM-DD`"
FROM_DOC = f"Reference period or date overlaps from this day on: {DAY_FORMS}."
TO_DOC = f"Reference period or date overlaps up to this day: {DAY_FORMS}."
From = Annotated[
    str | None,
    Query(alias="from", pattern=DATE_PATTERN, examples=["2020"], description=FROM_DOC),
]
To = Annotated[
    str | None,
    Query(alias="to", pattern=DATE_PATTERN, examples=["2021-09"], description=TO_DOC),
]


class DateParamError(ValueError):
    """A date parameter that is well-formed but not a real date."""


def parse_bound(value: str | None, *, upper: bool) -> date | None:
    """`2020` → 2020-01-01 (or 2020-12-31 as an upper bound); likewise months and days."""
    if value is None:
        return None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", value)
    if m is None:
        raise DateParamError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year = int(m.group(1))
    try:
        if m.group(3):
            return date(year, int(m.group(2)), int(m.group(3)))
        if m.group(2):
            month = int(m.group(2))
            day = calendar.monthrange(year, month)[1] if upper else 1
            return date(year, month, day)
        return date(year, 12, 31) if upper else date(year, 1, 1)
    except (ValueError, calendar.IllegalMonthError) as exc:
        raise DateParamError(f"{value!r} is not a real date: {exc}") from exc


def date_range(
    from_: str | None, to: str | None, year: int | None = None
) -> tuple[date | None, date | None]:
    """Resolve from/to/year into one inclusive range; bad input is a 422, never a 500."""
    errors: list[dict[str, object]] = []
    start = end = None
    for name, value, upper in (("from", from_, False), ("to", to, True)):
        try:
            bound = parse_bound(value, upper=upper)
        except DateParamError as exc:
            errors.append({"loc": ("query", name), "msg": str(exc), "type": "value_error.date"})
            continue
        if upper:
            end = bound
        else:
            start = bound
    if not errors and start and end and start > end:
        errors.append(
            {"loc": ("query", "to"), "msg": "`to` is before `from`", "type": "value_error.range"}
        )
    if errors:
        raise RequestValidationError(errors)
    if year is not None:
        start = max(start, date(year, 1, 1)) if start else date(year, 1, 1)
        end = min(end, date(year, 12, 31)) if end else date(year, 12, 31)
        if start > end:  # as contradictory as `to` before `from`: no day is in both
            raise RequestValidationError(
                [
                    {
                        "loc": ("query", "year"),
                        "msg": "`year` shares no day with `from`–`to`",
                        "type": "value_error.range",
                    }
                ]
            )
    return start, end
