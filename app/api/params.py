"""Query parameters shared by the list routes, validated at the edge."""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Annotated, Literal

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

Limit = Annotated[int, Query(ge=1, le=500, description="Page size (1–500).")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip.")]
FormatParam = Annotated[
    Literal["json", "csv"] | None,
    Query(description="`csv` for CSV (same as `Accept: text/csv`); JSON by default."),
]


@dataclass
class Paging:
    """The paging parameters every list takes (`format` is read by negotiation)."""

    limit: Limit = 50
    offset: Offset = 0
    format: FormatParam = None


PagingDep = Annotated[Paging, Depends()]

DATE_PATTERN = r"^\d{4}(-\d{2}(-\d{2})?)?$"
DAY_FORMS = "`YYYY`, `YYYY-MM` or `YYYY-MM-DD`"
DateQuery = partial(Query, pattern=DATE_PATTERN)
FROM_DOC = f"Period/date overlaps from this day on: {DAY_FORMS}."
TO_DOC = f"Period/date overlaps up to this day: {DAY_FORMS}."
From = Annotated[str | None, DateQuery(alias="from", examples=["2020"], description=FROM_DOC)]
To = Annotated[str | None, DateQuery(alias="to", examples=["2021-09"], description=TO_DOC)]
TextQuery = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=100,
        description="Case-insensitive text in the Chinese or English labels or the quote.",
    ),
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
    return start, end
