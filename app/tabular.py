"""Public models as flat columns: one plan per model drives the CSV, the table rows and search.

The plan is worked out once per model from its declaration: `name.zh` becomes `name_zh`,
`period.start` becomes `period_start`, `source` fields stay unprefixed (`quote`, `start`), and
`id` comes first. A list stays one column: scalars joined with `|`, objects as JSON.
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel

LINE_END = "\r\n"
UNPREFIXED = frozenset({"source"})  # nested models whose fields keep their own names


@dataclass(frozen=True)
class FlatColumn:
    """One flat column of a public model: its name, the path to its value, and its kind."""

    name: str
    path: tuple[str, ...]
    is_list: bool


@cache
def csv_plan(model: type[BaseModel]) -> tuple[FlatColumn, ...]:
    """The flat columns of a public model, `id` first, in declaration order otherwise."""
    plan = _plan(model, (), "")
    return tuple(sorted(plan, key=lambda c: c.name != "id"))


def csv_columns(model: type[BaseModel]) -> list[str]:
    """Flat column names of a public model, in CSV order."""
    return [column.name for column in csv_plan(model)]


def scalar_columns(model: type[BaseModel]) -> list[str]:
    """The flat columns that hold one value (the ones a table can store as columns)."""
    return [column.name for column in csv_plan(model) if not column.is_list]


def _plan(model: type[BaseModel], path: tuple[str, ...], prefix: str) -> list[FlatColumn]:
    out: list[FlatColumn] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        sub = _submodel(annotation)
        if sub is None:
            is_list = getattr(annotation, "__origin__", None) is list
            out.append(FlatColumn(prefix + name, (*path, name), is_list))
        else:
            inner = "" if name in UNPREFIXED else f"{prefix}{name}_"
            out += _plan(sub, (*path, name), inner)
    return out


def _submodel(annotation: Any) -> type[BaseModel] | None:
    """The model of a nested object field (`X` or `X | None`); lists stay one cell."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if getattr(annotation, "__origin__", None) is list:
        return None
    for arg in getattr(annotation, "__args__", ()) or ():
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _value(record: Any, path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if value is None:
            return None
        value = value.get(key) if isinstance(value, dict) else getattr(value, key)
    return value


def flatten(record: BaseModel) -> dict[str, Any]:
    """The scalar flat columns of a public record, with Python values (dates stay dates)."""
    return {
        column.name: _value(record, column.path)
        for column in csv_plan(type(record))
        if not column.is_list
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        if any(isinstance(v, dict) for v in value):
            return orjson.dumps(value).decode("utf-8")
        return "|".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode("utf-8")
    return str(value)


def csv_line(record: dict[str, Any], model: type[BaseModel]) -> str:
    """One record (the public JSON as a dict) as one CSV line, with its line end."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=LINE_END).writerow(
        [_cell(_value(record, column.path)) for column in csv_plan(model)]
    )
    return buf.getvalue()


def csv_header(model: type[BaseModel]) -> bytes:
    """The header line of a model's CSV."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=LINE_END).writerow(csv_columns(model))
    return buf.getvalue().encode("utf-8")


def csv_document(lines: Iterable[str], model: type[BaseModel]) -> bytes:
    """Header and lines: a CSV document (the header is there even with no rows)."""
    return csv_header(model) + "".join(lines).encode("utf-8")


def render_csv(payloads: Iterable[str], model: type[BaseModel]) -> bytes:
    """CSV of records given as public JSON payloads."""
    return csv_document((csv_line(orjson.loads(p), model) for p in payloads), model)
