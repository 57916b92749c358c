"""Responses from stored bytes: JSON envelopes, CSV and NDJSON exports, Link, single records.

Exports (CSV, NDJSON) without `limit` are the whole filtered, sorted list and go out as a stream
(no Content-Length); a JSON page holds 50 records unless `limit` says otherwise. CSV comes with
`Content-Disposition: attachment` and a filename (RFC 6266, `filename*` per RFC 8187).
"""

import re
from collections.abc import AsyncIterator, Iterable
from typing import Generic, TypeVar
from urllib.parse import quote

import orjson
from fastapi import Request
from pydantic import BaseModel, Field
from starlette.responses import Response, StreamingResponse

from app.api.negotiation import CSV, JSON, NDJSON, negotiated
from app.api.params import Paging, RecordExport
from app.api.urls import request_url, route_path
from app.store.paging import Page, PageRequest
from app.tabular import csv_document, csv_header, csv_line

CSV_TYPE = "text/csv; charset=utf-8; header=present"
BOM = "\ufeff".encode()
JSON_PAGE = 50
CHUNK = 256  # records per streamed chunk

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
    return Response(body, media_type=JSON, headers=headers)


def model_json(model: BaseModel) -> Response:
    """A response from a public model built at request time."""
    return json_response(orjson.dumps(model.model_dump(mode="json")))


def attachment(filename: str) -> str:
    """A Content-Disposition for a download: an ASCII fallback and the UTF-8 name."""
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def link_header(request: Request, total: int, limit: int, offset: int) -> str | None:
    """RFC 8288 Link header with first, prev, next and last pages, as absolute URLs built like
    the bodies' (app/api/urls.py: the scheme, host and path prefix the client used)."""
    links = []

    def url(off: int) -> str:
        return request_url(
            request.scope, request.url.include_query_params(offset=off, limit=limit).query
        )

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
    media = negotiated(request)
    limit = paging.limit if paging.limit is not None or media != JSON else JSON_PAGE
    return PageRequest(limit=limit, offset=paging.offset, csv=media == CSV)


# What a file name may not hold on common systems (a path separator, Windows' reserved marks,
# control characters): a search's `q` in the name has them replaced with `_`.
FILE_UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')


def download_name(request: Request) -> str:
    """A file name saying what was downloaded: `zhuzhou-facts-metrics`,
    `zhuzhou-facts-indicators-gdp`, `zhuzhou-facts-search-地区生产总值`."""
    parts = [p for p in route_path(request.scope).split("/") if p and p != "v1"]
    if parts == ["search"] and request.query_params.get("q"):
        parts.append(FILE_UNSAFE.sub("_", request.query_params["q"].strip()))
    return "-".join(["zhuzhou-facts", *parts])


def list_response(
    request: Request, found: Page, page: PageRequest, model: type[BaseModel], bom: bool = False
) -> Response:
    """The list as the negotiated representation, with X-Total-Count and, when paged, Link."""
    headers = {"X-Total-Count": str(found.total)}
    if page.limit is not None:
        link = link_header(request, found.total, page.limit, page.offset)
        if link:
            headers["Link"] = link
    media = negotiated(request)
    if media == JSON:
        limit = page.limit if page.limit is not None else found.total
        return json_response(envelope(found.payloads, found.total, limit, page.offset), headers)
    if media == NDJSON:
        lines = (p + "\n" for p in found.payloads)
        return _export(lines, b"", NDJSON, headers, page.limit is None)
    headers["Content-Disposition"] = attachment(f"{download_name(request)}.csv")
    prefix = (BOM if bom else b"") + csv_header(model)
    return _export(found.payloads, prefix, CSV_TYPE, headers, page.limit is None)


def record_response(
    request: Request, payload: str, model: type[BaseModel], export: RecordExport
) -> Response:
    """One record as JSON (its stored payload) or as a one-row CSV."""
    if negotiated(request) != CSV:
        return json_response(payload.encode("utf-8"))
    return csv_response(request, [csv_line(orjson.loads(payload), model)], model, export.bom)


def csv_response(request: Request, lines: list[str], model: type[BaseModel], bom: bool) -> Response:
    """A whole CSV document for download."""
    body = (BOM if bom else b"") + csv_document(lines, model)
    headers = {"Content-Disposition": attachment(f"{download_name(request)}.csv")}
    return Response(body, media_type=CSV_TYPE, headers=headers)


def _export(
    lines: Iterable[str], prefix: bytes, media_type: str, headers: dict[str, str], stream: bool
) -> Response:
    """The lines after a prefix: one body for a page, a stream for a whole list."""
    if not stream:
        body = prefix + "".join(lines).encode("utf-8")
        return Response(body, media_type=media_type, headers=headers)

    async def chunks() -> AsyncIterator[bytes]:
        yield prefix
        batch: list[str] = []
        for line in lines:
            batch.append(line)
            if len(batch) == CHUNK:
                yield "".join(batch).encode("utf-8")
                batch = []
        if batch:
            yield "".join(batch).encode("utf-8")

    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
