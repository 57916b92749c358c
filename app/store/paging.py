"""Paging over stored records: one page of payloads (or CSV lines) and the total matching.

Every statement is built from bind parameters only, so one compiled form serves every value;
the cache key of a statement is its table and shape (which filters are present, which sort).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Integer, and_, bindparam, func, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import Select
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import GenericFunction
from sqlmodel import col, select

from app.store.reader import Reader
from app.store.search_text import normalise
from app.store.tables import DatasetInfo


@dataclass(frozen=True)
class Page:
    """One page of stored payloads and the total matching."""

    payloads: list[str]
    total: int


@dataclass(frozen=True)
class PageRequest:
    """Which page (no limit: all from offset on), and whether its items are CSV lines rather
    than JSON payloads."""

    limit: int | None = 50
    offset: int = 0
    csv: bool = False

    @property
    def bound(self) -> int:
        """The LIMIT to bind: every row when no limit is set (both engines take a bigint)."""
        return self.limit if self.limit is not None else ALL_ROWS


ALL_ROWS = 2**62


def like_pattern(value: str) -> str:
    """A LIKE pattern matching value anywhere, with LIKE's wildcards escaped."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class Instr(GenericFunction[int]):
    """instr(text, needle): where needle starts in text, from 1; 0 when it is absent. Exact,
    character by character, whatever the database's locale (PostgreSQL's name: strpos)."""

    name = "instr"
    type = Integer()
    inherit_cache = True


@compiles(Instr, "postgresql")
def _strpos(element: Instr, compiler: SQLCompiler, **kw: Any) -> str:
    return f"strpos({compiler.process(element.clauses, **kw)})"


def text_match(column: Any) -> ColumnElement[bool]:
    """The `q` filter: the normalised query (bound as :q) is a substring of the column, which
    holds the normal form of the texts searched (app.store.search_text.filter_text). Both sides
    are normalised by our code, so no engine folds case, or anything else, on its own. A query
    that normalises to nothing (`-`) matches nothing."""
    return and_(bindparam("q") != "", Instr(col(column), bindparam("q")) > 0)


def overlaps(start_col: Any, end_col: Any, start: bool, end: bool) -> list[Any]:
    """Conditions for a period overlapping [:start, :end]; undated never matches, and an open
    start ("by the end of 2018") counts as the point of its end."""
    conds: list[Any] = [end_col.is_not(None)]
    if start:
        conds.append(end_col >= bindparam("start"))
    if end:
        conds.append(func.coalesce(start_col, end_col) <= bindparam("end"))
    return conds


def page_of(
    db: Reader,
    shape: tuple[Any, ...],
    model: Any,
    where: Callable[[], list[Any]],
    order: Callable[[], list[Any]],
    params: dict[str, Any],
    page: PageRequest,
) -> Page:
    """The page asked for of model's rows matching where(), in order(), and their total."""

    def count() -> Select[Any]:
        return select(func.count()).select_from(model).where(and_(true(), *where()))

    column = "csv_row" if page.csv else "payload"
    key = (model.__tablename__, *shape)  # statements are compiled once per table and shape

    def rows() -> Select[Any]:
        return (
            select(getattr(model, column))
            .where(and_(true(), *where()))
            .order_by(*order())
            .limit(bindparam("limit"))
            .offset(bindparam("offset"))
        )

    if params:
        total = db.scalar(("count", *key), count, params)
    else:
        total = stored_total(db, model.__tablename__)
    found = db.rows(
        ("page", column, *key), rows, {**params, "limit": page.bound, "offset": page.offset}
    )
    return Page([r[0] for r in found], int(total))


def stored_total(db: Reader, table: str) -> int:
    """The row count of a table, stored at seed time."""
    value = db.scalar(
        ("stored_total", table),
        lambda: select(DatasetInfo.value).where(DatasetInfo.key == f"rows:{table}"),
    )
    return int(value or 0)


def bind_params(**values: Any) -> dict[str, Any]:
    """The filters given (None = not filtered), with `q` in the normal form it is compared in."""
    out = {k: v for k, v in values.items() if v is not None}
    if "q" in out:
        out["q"] = normalise(out["q"])
    return out
