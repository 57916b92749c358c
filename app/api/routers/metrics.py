"""GET /v1/metrics: observations, each with its verbatim source."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import LIST_RESPONSES, RECORD_RESPONSES
from app.api.params import (
    From,
    PagingDep,
    RecordExportDep,
    TextQuery,
    To,
    Year,
    date_range,
    id_query,
)
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import MetricPublic
from app.store import queries
from app.store.tables import Metric
from app.vocabulary import RESOURCE_PATHS, Basis, Category, MetricKind, MetricSort, RecordType, Unit

MetricId = Annotated[
    str, Path(description="Stable id of the observation.", examples=["gdp-2021-q1-q3"])
]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.metric], tags=["metrics"])


@router.get(
    "",
    summary="List observations",
    response_model=ListOf[MetricPublic],
    responses=LIST_RESPONSES,
    operation_id="list_metrics",
    description="Observations: every number of the source with its value in base units, unit, "
    "qualifier, reference period and the verbatim quote with code point offsets. Filters "
    "combine with AND; `year`, `from` and `to` select observations whose reference period "
    "overlaps the range: a `span` by its start..end, an `as_of` or `horizon` by its end "
    "alone (undated observations never match). "
    "Also as CSV with `?format=csv` or `Accept: text/csv`.",
)
async def list_metrics(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    indicator: Annotated[str | None, id_query("Series id, e.g. `gdp`.")] = None,
    category: Annotated[Category | None, Query(description="Category.")] = None,
    basis: Annotated[Basis | None, Query(description="Basis of the series.")] = None,
    subject: Annotated[str | None, id_query("Entity or chain id the number is about.")] = None,
    kind: Annotated[MetricKind | None, Query(description="`actual` or `target`.")] = None,
    unit: Annotated[Unit | None, Query(description="Unit of the value.")] = None,
    chain: Annotated[str | None, id_query("Industry chain id (linked or subject).")] = None,
    year: Year = None,
    from_: From = None,
    to: To = None,
    q: TextQuery = None,
    sort: Annotated[
        MetricSort,
        Query(
            description="`period` (oldest first, undated last), `-period`, `value`, `-value`, "
            "`id`, `-id`, or `document` (order in the source)."
        ),
    ] = "period",
) -> Response:
    """List observations matching the filters."""
    start, end = date_range(from_, to, year)
    page = page_request(request, paging)
    found = await db.run(
        queries.list_metrics,
        queries.MetricFilter(
            indicator=indicator,
            category=category.value if category else None,
            basis=basis.value if basis else None,
            subject=subject,
            kind=kind.value if kind else None,
            unit=unit.value if unit else None,
            chain=chain,
            start=start,
            end=end,
            q=q,
        ),
        sort,
        page,
    )
    return list_response(request, found, page, MetricPublic, paging.bom)


@router.get(
    "/{metric_id}",
    summary="Get one observation",
    response_model=MetricPublic,
    responses=RECORD_RESPONSES,
    operation_id="get_metric",
)
async def get_metric(
    request: Request, metric_id: MetricId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """One observation by its stable id."""
    payload = await db.run(queries.get_payload, Metric, metric_id)
    record = found_or_404(payload, "metric", metric_id)
    return record_response(request, record, MetricPublic, export)
