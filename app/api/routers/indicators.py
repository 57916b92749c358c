"""GET /v1/indicators: series of observations of one concept."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import ERROR_RESPONSES
from app.api.params import PagingDep, TextQuery
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import IndicatorDetail, IndicatorPublic
from app.store import queries
from app.vocabulary import RESOURCE_PATHS, Basis, Category, RecordType

IndicatorId = Annotated[str, Path(description="Id of the series.", examples=["gdp"])]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.indicator], tags=["indicators"])


@router.get(
    "",
    summary="List series",
    response_model=ListOf[IndicatorPublic],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="list_indicators",
    description="Series: one concept, unit and basis each (an annual level, a year-to-date "
    "value, a year-on-year or average annual growth rate, a share, a rank, a count...), with "
    "the number of observations and, per subject, the latest actual value and the latest target "
    "(latest = latest reference period end; an undated observation counts only when it is the "
    "subject's only one). Also as CSV.",
)
async def list_indicators(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    category: Annotated[Category | None, Query(description="Category.")] = None,
    basis: Annotated[Basis | None, Query(description="What the series measures over time.")] = None,
    q: TextQuery = None,
) -> Response:
    """List series."""
    page = page_request(request, paging)
    found = await db.run(
        queries.list_indicators,
        category.value if category else None,
        basis.value if basis else None,
        q,
        page,
    )
    return list_response(request, found, page, IndicatorPublic)


@router.get(
    "/{indicator_id}",
    summary="Get one series with its observations",
    response_model=IndicatorDetail,
    responses=ERROR_RESPONSES,
    operation_id="get_indicator",
    description="A series and all its observations in reference-period order (undated last), "
    "ready to draw: one line per subject, each point at its reference period.",
)
async def get_indicator(indicator_id: IndicatorId, db: ReaderDep) -> Response:
    """Get one series."""
    detail = await db.run(queries.indicator_detail, indicator_id)
    return record_response(found_or_404(detail, "indicator", indicator_id))
