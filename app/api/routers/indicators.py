"""GET /v1/indicators: series of observations of one concept."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import LIST_RESPONSES, RECORD_RESPONSES
from app.api.negotiation import CSV, negotiated
from app.api.params import PagingDep, RecordExportDep, TextQuery
from app.api.responses import ListOf, csv_response, list_response, page_request, record_response
from app.models import IndicatorDetail, IndicatorPublic, MetricPublic
from app.store import queries
from app.vocabulary import RESOURCE_PATHS, Basis, Category, RecordType

IndicatorId = Annotated[str, Path(description="Id of the series.", examples=["gdp"])]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.indicator], tags=["indicators"])


@router.get(
    "",
    summary="List series",
    response_model=ListOf[IndicatorPublic],
    responses=LIST_RESPONSES,
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
    return list_response(request, found, page, IndicatorPublic, paging.bom)


@router.get(
    "/{indicator_id}",
    summary="Get one series with its observations",
    response_model=IndicatorDetail,
    responses=RECORD_RESPONSES,
    operation_id="get_indicator",
    description="A series and all its observations in reference-period order (undated last), "
    "ready to draw: one line per subject, each point at its reference period.",
)
async def get_indicator(
    request: Request, indicator_id: IndicatorId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """Get one series: as JSON with its observations as `items`, as CSV its observations."""
    detail = await db.run(queries.indicator_detail, indicator_id)
    record = found_or_404(detail, "indicator", indicator_id)
    if negotiated(request) == CSV:
        lines = await db.run(queries.indicator_observations, indicator_id, True)
        return csv_response(request, lines, MetricPublic, export.bom)
    return record_response(request, record, IndicatorDetail, export)
