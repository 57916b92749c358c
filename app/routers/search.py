"""GET /v1/search: one ranked search across metrics, events, chains and entities."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from pydantic import StringConstraints
from starlette.responses import Response

from app.db import SessionDep
from app.errors import ERROR_RESPONSES
from app.models import Bilingual
from app.params import FormatParam, Limit, Offset
from app.responses import list_response
from app.schemas import ListOf, SearchHit
from app.search import search

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
def search_all(
    request: Request,
    session: SessionDep,
    q: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=2, max_length=100),
        Query(
            description="Text to find: two characters or more; surrounding spaces are ignored.",
            examples=["地区生产总值"],
        ),
    ],
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = None,
) -> Response:
    """Search across resources."""
    hits = search(session, q)
    page = hits[offset : offset + limit]
    payloads = [
        SearchHit(
            type=h.type,
            id=h.id,
            name=Bilingual(zh=h.name_zh, en=h.name_en),
            quote=h.quote,
            score=h.score,
            url=h.url,
        ).model_dump_json()
        for h in page
    ]
    return list_response(request, payloads, len(hits), limit, offset, SearchHit, format)
