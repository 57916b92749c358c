"""GET /v1/entities: organisations, people, places and programmes."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import LIST_RESPONSES, RECORD_RESPONSES
from app.api.params import PagingDep, RecordExportDep, TextQuery
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import EntityPublic
from app.store import queries
from app.store.tables import Entity
from app.vocabulary import RESOURCE_PATHS, EntityType, RecordType

EntityId = Annotated[str, Path(description="Id of the entity.", examples=["zhuzhou"])]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.entity], tags=["entities"])


@router.get(
    "",
    summary="List entities",
    response_model=ListOf[EntityPublic],
    responses=LIST_RESPONSES,
    operation_id="list_entities",
    description="Organisations, people, places and programmes named in the source, with "
    "the metrics, events and chains that mention them.",
)
async def list_entities(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    type: Annotated[EntityType | None, Query(description="Kind of entity.")] = None,
    q: TextQuery = None,
) -> Response:
    """List entities."""
    page = page_request(request, paging)
    found = await db.run(queries.list_entities, type.value if type else None, q, page)
    return list_response(request, found, page, EntityPublic, paging.bom)


@router.get(
    "/{entity_id}",
    summary="Get one entity",
    response_model=EntityPublic,
    responses=RECORD_RESPONSES,
    operation_id="get_entity",
    description="One entity with its first mention and what mentions it.",
)
async def get_entity(
    request: Request, entity_id: EntityId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """Get one entity."""
    payload = await db.run(queries.get_payload, Entity, entity_id)
    record = found_or_404(payload, "entity", entity_id)
    return record_response(request, record, EntityPublic, export)
