"""GET /v1/search: one ranked search across metrics, events, chains and entities."""

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.deps import ReaderDep
from app.api.errors import LIST_RESPONSES
from app.api.params import PagingDep, SearchText
from app.api.responses import ListOf, list_response, page_request
from app.api.urls import base_url
from app.models import SearchHit
from app.store.paging import Page
from app.store.search import search
from app.tabular import csv_line

router = APIRouter(prefix="/v1/search", tags=["search"])


@router.get(
    "",
    summary="Search everything",
    response_model=ListOf[SearchHit],
    responses=LIST_RESPONSES,
    operation_id="search",
    description="Search names (zh and en), expressions, quotes and ids of metrics, industry "
    "chains, events and entities, and the names of the records each links to (its subject, "
    "entities, chains, metrics). Matching ignores case, hyphens and spacing; Chinese and English "
    "substrings of two characters and up both work. Best first: `score` 5 means the record's "
    "own name is the query; 4–5 its name contains it, 3–4 its expression, 2–3 its quote, "
    "1–2 its id, 0–1 only a linked record's name; the fraction grows with the share of that text "
    "the query covers. Equal scores go by type (metric, industry chain, event, entity), then id.",
)
async def search_all(request: Request, db: ReaderDep, paging: PagingDep, q: SearchText) -> Response:
    """Search across resources."""
    page = page_request(request, paging)
    found = await db.run(search, q, page.bound, page.offset)
    base = base_url(request.scope)
    lines = [
        csv_line(hit, SearchHit) if page.csv else orjson.dumps(hit).decode("utf-8")
        for hit in ({**hit, "url": base + hit["url"]} for hit in found.hits)
    ]
    return list_response(request, Page(lines, found.total), page, SearchHit, paging.bom)
