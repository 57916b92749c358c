"""Responses from stored bytes: the list envelope, Link headers, CSV, and single records."""

from typing import Generic, TypeVar

import orjson
from fastapi import Request
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.api.negotiation import Format, negotiated
from app.api.params import Paging
from app.store.paging import Page, PageRequest
from app.tabular import csv_document

JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8; header=present"

T = TypeVar("T")


class ListOf(BaseModel, Generic[T]):
    """A page of records; the Link header points to the other pages."""

    items: list[T]
    total: int = Field(description="Records matching the filters, on all pages.")
    limit: int
    offset: int


def envelope(items: list[str], total: int, limit: int, offset: int) -> bytes:
    """The list envelope {items, total, limit, offset} around items given as JSON texts."""
    return b"".join(
        [
            b'{"items":[',
            ",".join(items).encode("utf-8"),
            b'],"total":',
            str(total).encode(),
            b',"limit":',
            str(limit).encode(),
            b',"offset":',
            str(offset).encode(),
            b"}",
        ]
    )


def json_response(body: bytes, headers: dict[str, str] | None = None) -> Response:
    """A JSON response from ready bytes."""
    return Response(body, media_type=JSON_TYPE, headers=headers)


def record_response(payload: str) -> Response:
    """One record, straight from its stored payload."""
    return json_response(payload.encode("utf-8"))


def model_json(model: BaseModel) -> Response:
    """A response from a public model built at request time."""
    return json_response(orjson.dumps(model.model_dump(mode="json")))


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


def page_request(request: Request, paging: Paging) -> PageRequest:
    """The page asked for, in the representation negotiated for this request."""
    csv = negotiated(request) is Format.csv
    return PageRequest(limit=paging.limit, offset=paging.offset, csv=csv)


def list_response(
    request: Request, found: Page, page: PageRequest, model: type[BaseModel]
) -> Response:
    """The list envelope as JSON, or the items as CSV, with X-Total-Count and Link."""
    headers = {"X-Total-Count": str(found.total)}
    link = link_header(request, found.total, page.limit, page.offset)
    if link:
        headers["Link"] = link
    if page.csv:
        return Response(csv_document(found.payloads, model), media_type=CSV_TYPE, headers=headers)
    return json_response(envelope(found.payloads, found.total, page.limit, page.offset), headers)
