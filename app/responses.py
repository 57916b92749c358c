"""Render lists and records from stored JSON payloads: envelopes, Link headers and CSV."""

import csv
import io
from collections.abc import Sequence
from typing import Any

import orjson
from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from app.negotiation import Format, negotiate

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8; header=present"


def json_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """A JSON response from ready bytes."""
    return Response(body, media_type=JSON_TYPE, headers=headers)


def record_response(payload: str) -> Response:
    """One record, straight from its stored payload."""
    return json_response(payload.encode("utf-8"))


def link_header(request: Request, total: int, limit: int, offset: int) -> str | None:
    """RFC 8288 Link header with first, prev, next and last pages (relative references, so
    one cached response serves every host name)."""
    links = []

    def url(off: int) -> str:
        full = request.url.include_query_params(offset=off, limit=limit)
        return f"{full.path}?{full.query}"

    last = max(0, (total - 1) // limit * limit) if total else 0
    if offset > 0:
        links.append(f'<{url(0)}>; rel="first"')
        links.append(f'<{url(min(max(0, offset - limit), last))}>; rel="prev"')
    if offset + limit < total:
        links.append(f'<{url(offset + limit)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    return ", ".join(links) or None


def csv_columns(model: type[BaseModel]) -> list[str]:
    """Flat column names of a public model, `id` first: name.zh -> name_zh; source fields are
    unprefixed (quote, start, end)."""
    cols = _columns(model)
    return sorted(cols, key=lambda c: c != "id")


def _columns(model: type[BaseModel]) -> list[str]:
    cols: list[str] = []
    for name, field in model.model_fields.items():
        sub = _submodel(field.annotation)
        if sub is None:
            cols.append(name)
        else:
            prefix = "" if name == "source" else f"{name}_"
            cols.extend(prefix + c for c in _columns(sub))
    return cols


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


def _flatten(
    record: dict[str, Any], model: type[BaseModel], out: dict[str, Any], prefix: str = ""
) -> None:
    for name, field in model.model_fields.items():
        sub = _submodel(field.annotation)
        value = record.get(name)
        if sub is None:
            out[prefix + name] = value
        else:
            _flatten(value or {}, sub, out, "" if name == "source" else f"{prefix}{name}_")


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


def render_csv(payloads: Sequence[str], model: type[BaseModel]) -> bytes:
    """CSV of records (header always present, even for no rows)."""
    columns = csv_columns(model)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(columns)
    for payload in payloads:
        flat: dict[str, Any] = {}
        _flatten(orjson.loads(payload), model, flat)
        writer.writerow([_cell(flat.get(c)) for c in columns])
    return buf.getvalue().encode("utf-8")


def list_response(
    request: Request,
    payloads: Sequence[str],
    total: int,
    limit: int,
    offset: int,
    model: type[BaseModel],
    format_param: str | None,
) -> Response:
    """The list envelope {items, total, limit, offset} as JSON, or the items as CSV."""
    headers = {"X-Total-Count": str(total)}
    link = link_header(request, total, limit, offset)
    if link:
        headers["Link"] = link
    fmt = negotiate(format_param, request.headers.get("accept"))
    if fmt is Format.csv:
        return Response(render_csv(payloads, model), media_type=CSV_TYPE, headers=headers)
    body = b"".join(
        [
            b'{"items":[',
            ",".join(payloads).encode("utf-8"),
            b'],"total":',
            str(total).encode(),
            b',"limit":',
            str(limit).encode(),
            b',"offset":',
            str(offset).encode(),
            b"}",
        ]
    )
    return json_response(body, headers)


def model_json(model: BaseModel) -> Response:
    """A response from a public model built at request time."""
    return json_response(orjson.dumps(model.model_dump(mode="json")))
