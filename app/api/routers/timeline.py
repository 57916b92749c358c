"""GET /v1/timeline: events in date order."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import LIST_RESPONSES, RECORD_RESPONSES
from app.api.params import From, PagingDep, RecordExportDep, TextQuery, To, date_range, id_query
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import EventPublic
from app.store import queries
from app.store.tables import Event
from app.vocabulary import RESOURCE_PATHS, RecordType

EventId = Annotated[
    str, Path(description="Id of the event.", examples=["great-wall-computer-settles-in-zhuzhou"])
]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.event], tags=["timeline"])


@router.get(
    "",
    summary="List events in date order",
    response_model=ListOf[EventPublic],
    responses=LIST_RESPONSES,
    operation_id="list_events",
    description="Dated and datable events, oldest first; events the article does not date "
    "have `date: null` and come last. `from`/`to` keep events whose date range overlaps.",
)
async def list_events(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    from_: From = None,
    to: To = None,
    q: TextQuery = None,
    entity: Annotated[str | None, id_query("Only events linked to this entity id.")] = None,
) -> Response:
    """List events."""
    start, end = date_range(from_, to)
    page = page_request(request, paging)
    found = await db.run(queries.list_events, start, end, q, entity, page)
    return list_response(request, found, page, EventPublic, paging.bom)


@router.get(
    "/{event_id}",
    summary="Get one event",
    response_model=EventPublic,
    responses=RECORD_RESPONSES,
    operation_id="get_event",
    description="One event with its date as written and as resolved, and its links.",
)
async def get_event(
    request: Request, event_id: EventId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """Get one event."""
    payload = await db.run(queries.get_payload, Event, event_id)
    record = found_or_404(payload, "event", event_id)
    return record_response(request, record, EventPublic, export)
