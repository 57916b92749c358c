"""GET /v1/search: one ranked search across metrics, events, chains and entities."""

from typing import Annotated

import orjson
from fastapi import APIRouter, Query, Request
from pydantic import StringConstraints
from starlette.responses import Response

from app.api.deps import ReaderDep
from app.api.errors import ERROR_RESPONSES
from app.api.params import PagingDep
from app.api.responses import ListOf, list_response, page_request
from app.models import SearchHit
from app.store.paging import Page
from app.store.search import search
from app.tabular import csv_line

router = APIRouter(prefix="/v1/search", tags=["search"])


@router.get(
    "",
    summary="Search everything",
    response_model=ListOf[SearchHit],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="search",
    description="Case-insensitive substring search over names (zh and en), expressions, quotes "
    "and ids of metrics, industry chains, events and entities, ranked: a match in a name beats "
    "one in an expression, which beats one in a quote; an exact or whole-word match beats a "
    "partial one. Chinese substrings of two characters and up, and English words, both work.",
)
async def search_all(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    q: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=2, max_length=100),
        Query(
            description="Text to find: two characters or more; surrounding spaces are ignored.",
            examples=["地区生产总值"],
        ),
    ],
) -> Response:
    """Search across resources."""
    hits = await db.run(search, q)
    page = page_request(request, paging)
    items = [h.model_dump(mode="json") for h in hits[paging.offset : paging.offset + paging.limit]]
    lines = [
        csv_line(item, SearchHit) if page.csv else orjson.dumps(item).decode("utf-8")
        for item in items
    ]
    return list_response(request, Page(lines, len(hits)), page, SearchHit)
