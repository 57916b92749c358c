"""GET /v1/indicators: series of observations of one concept."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import HTTPException
from starlette.responses import Response

from app import queries
from app.errors import ERROR_RESPONSES
from app.models import Category, Indicator, IndicatorDetail, IndicatorPublic
from app.params import FormatParam, Limit, Offset, TextQuery
from app.reader import ReaderDep
from app.responses import json_response, list_response, page_request
from app.schemas import ListOf

IndicatorId = Annotated[str, Path(description="Id of the series.", examples=["gdp"])]

router = APIRouter(prefix="/v1/indicators", tags=["indicators"])


@router.get(
    "",
    summary="List series",
    response_model=ListOf[IndicatorPublic],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="list_indicators",
    description="Series: name, unit, category, number of observations, the latest actual "
    "value and the latest target (latest = latest period end; an undated observation counts "
    "only when it is the series' only one). Also as CSV.",
)
async def list_indicators(
    request: Request,
    db: ReaderDep,
    category: Annotated[Category | None, Query(description="Category.")] = None,
    q: TextQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = None,
) -> Response:
    """List series."""
    page = page_request(request, limit, offset, format)
    found = await db.run(queries.list_indicators, category.value if category else None, q, page)
    return list_response(request, found, page, IndicatorPublic)


@router.get(
    "/{indicator_id}",
    summary="Get one series with its observations",
    response_model=IndicatorDetail,
    responses=ERROR_RESPONSES,
    operation_id="get_indicator",
    description="A series and all its observations in period order (undated last), ready to "
    "draw as a line.",
)
async def get_indicator(indicator_id: IndicatorId, db: ReaderDep) -> Response:
    """Get one series."""
    payload = await db.run(queries.get_payload, Indicator, indicator_id)
    if payload is None:
        raise HTTPException(404, f"No indicator with id {indicator_id!r}.")
    items = await db.run(queries.indicator_observations, indicator_id)
    body = payload.encode("utf-8")[:-1] + b',"items":[' + ",".join(items).encode("utf-8") + b"]}"
    return json_response(body)
