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
    description="Case-insensitive substring search over names (zh and en), expressions, quotes "
    "and ids of metrics, industry chains, events and entities, ranked: a match in a name beats "
    "one in an expression, which beats one in a quote; an exact or whole-word match beats a "
    "partial one. Chinese substrings of two characters and up, and English words, both work.",
)
async def search_all(request: Request, db: ReaderDep, paging: PagingDep, q: SearchText) -> Response:
    """Search across resources."""
    hits = await db.run(search, q)
    page = page_request(request, paging)
    end = None if page.limit is None else page.offset + page.limit
    base = base_url(request.scope)
    items = [{**h.model_dump(mode="json"), "url": base + h.url} for h in hits[page.offset : end]]
    lines = [
        csv_line(item, SearchHit) if page.csv else orjson.dumps(item).decode("utf-8")
        for item in items
    ]
    return list_response(request, Page(lines, len(hits)), page, SearchHit, paging.bom)
