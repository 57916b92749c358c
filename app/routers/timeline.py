"""GET /v1/timeline: events in date order."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import HTTPException
from starlette.responses import Response

from app import queries
from app.errors import ERROR_RESPONSES
from app.models import Event, EventPublic
from app.params import FormatParam, From, Limit, Offset, TextQuery, To, date_range
from app.reader import ReaderDep
from app.responses import list_response, page_request, record_response
from app.schemas import ListOf

EventId = Annotated[
    str, Path(description="Id of the event.", examples=["great-wall-computer-settles-in-zhuzhou"])
]

router = APIRouter(prefix="/v1/timeline", tags=["timeline"])


@router.get(
    "",
    summary="List events in date order",
    response_model=ListOf[EventPublic],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="list_events",
    description="Dated and datable events, oldest first; events the article does not date "
    "have `date: null` and come last. `from`/`to` keep events whose date range overlaps.",
)
async def list_events(
    request: Request,
    db: ReaderDep,
    from_: From = None,
    to: To = None,
    q: TextQuery = None,
    entity: Annotated[
        str | None, Query(description="Only events linked to this entity id.")
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = None,
) -> Response:
    """List events."""
    start, end = date_range(from_, to)
    page = page_request(request, limit, offset, format)
    found = await db.run(queries.list_events, start, end, q, entity, page)
    return list_response(request, found, page, EventPublic)


@router.get(
    "/{event_id}",
    summary="Get one event",
    response_model=EventPublic,
    responses=ERROR_RESPONSES,
    operation_id="get_event",
    description="One event with its date as written and as resolved, and its links.",
)
async def get_event(event_id: EventId, db: ReaderDep) -> Response:
    """Get one event."""
    payload = await db.run(queries.get_payload, Event, event_id)
    if payload is None:
        raise HTTPException(404, f"No event with id {event_id!r}.")
    return record_response(payload)
