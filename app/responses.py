"""Render lists and records from stored JSON payloads: envelopes, Link headers and CSV."""

import orjson
from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from app.negotiation import Format, negotiate
from app.queries import Page, PageRequest
from app.tabular import csv_document

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


def page_request(
    request: Request, limit: int, offset: int, format_param: str | None
) -> PageRequest:
    """The page asked for, with the representation negotiated from ?format= and Accept."""
    fmt = negotiate(format_param, request.headers.get("accept"))
    return PageRequest(limit=limit, offset=offset, csv=fmt is Format.csv)


def list_response(
    request: Request, found: Page, page: PageRequest, model: type[BaseModel]
) -> Response:
    """The list envelope {items, total, limit, offset} as JSON, or the items as CSV."""
    headers = {"X-Total-Count": str(found.total)}
    link = link_header(request, found.total, page.limit, page.offset)
    if link:
        headers["Link"] = link
    if page.csv:
        return Response(csv_document(found.payloads, model), media_type=CSV_TYPE, headers=headers)
    body = b"".join(
        [
            b'{"items":[',
            ",".join(found.payloads).encode("utf-8"),
            b'],"total":',
            str(found.total).encode(),
            b',"limit":',
            str(page.limit).encode(),
            b',"offset":',
            str(page.offset).encode(),
            b"}",
        ]
    )
    return json_response(body, headers)


def model_json(model: BaseModel) -> Response:
    """A response from a public model built at request time."""
    return json_response(orjson.dumps(model.model_dump(mode="json")))
