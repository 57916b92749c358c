"""Public records as flat CSV rows: one plan per model, shared by seed time and request time."""

import csv
import io
from collections.abc import Iterable
from functools import cache
from typing import Any

import orjson
from pydantic import BaseModel

LINE_END = "\r\n"

Plan = tuple[tuple[str, tuple[str, ...]], ...]


@cache
def csv_plan(model: type[BaseModel]) -> Plan:
    """Columns of a public model and the path to each value, `id` first: name.zh -> name_zh;
    source fields are unprefixed (quote, start, end). Worked out once per model."""
    plan = _plan(model, (), "")
    return tuple(sorted(plan, key=lambda c: c[0] != "id"))


def csv_columns(model: type[BaseModel]) -> list[str]:
    """Flat column names of a public model, in CSV order."""
    return [column for column, _ in csv_plan(model)]


def _plan(
    model: type[BaseModel], path: tuple[str, ...], prefix: str
) -> list[tuple[str, tuple[str, ...]]]:
    out: list[tuple[str, tuple[str, ...]]] = []
    for name, field in model.model_fields.items():
        sub = _submodel(field.annotation)
        if sub is None:
            out.append((prefix + name, (*path, name)))
        else:
            out += _plan(sub, (*path, name), "" if name == "source" else f"{prefix}{name}_")
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


def _value(record: dict[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = record
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


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
        [_cell(_value(record, path)) for _, path in csv_plan(model)]
    )
    return buf.getvalue()


def csv_document(lines: Iterable[str], model: type[BaseModel]) -> bytes:
    """Header and lines: a CSV document (the header is there even with no rows)."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator=LINE_END).writerow(csv_columns(model))
    buf.writelines(lines)
    return buf.getvalue().encode("utf-8")


def render_csv(payloads: Iterable[str], model: type[BaseModel]) -> bytes:
    """CSV of records given as public JSON payloads."""
    return csv_document((csv_line(orjson.loads(p), model) for p in payloads), model)
