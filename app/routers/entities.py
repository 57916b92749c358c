"""GET /v1/entities: organisations, people, places and programmes."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.exceptions import HTTPException
from starlette.responses import Response

from app import queries
from app.errors import ERROR_RESPONSES
from app.models import Entity, EntityPublic, EntityType
from app.params import FormatParam, Limit, Offset, TextQuery
from app.reader import ReaderDep
from app.responses import list_response, page_request, record_response
from app.schemas import ListOf

EntityId = Annotated[str, Path(description="Id of the entity.", examples=["zhuzhou"])]

router = APIRouter(prefix="/v1/entities", tags=["entities"])


@router.get(
    "",
    summary="List entities",
    response_model=ListOf[EntityPublic],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="list_entities",
    description="Organisations, people, places and programmes named in the source, with "
    "the metrics, events and chains that mention them.",
)
async def list_entities(
    request: Request,
    db: ReaderDep,
    type: Annotated[EntityType | None, Query(description="Kind of entity.")] = None,
    q: TextQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = None,
) -> Response:
    """List entities."""
    page = page_request(request, limit, offset, format)
    found = await db.run(queries.list_entities, type.value if type else None, q, page)
    return list_response(request, found, page, EntityPublic)


@router.get(
    "/{entity_id}",
    summary="Get one entity",
    response_model=EntityPublic,
    responses=ERROR_RESPONSES,
    operation_id="get_entity",
    description="One entity with its first mention and what mentions it.",
)
async def get_entity(entity_id: EntityId, db: ReaderDep) -> Response:
    """Get one entity."""
    payload = await db.run(queries.get_payload, Entity, entity_id)
    if payload is None:
        raise HTTPException(404, f"No entity with id {entity_id!r}.")
    return record_response(payload)
