"""GET /v1/industry-chains: systems, groups, industries, clusters and the set of 17 chains."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import LIST_RESPONSES, RECORD_RESPONSES
from app.api.params import PagingDep, RecordExportDep, TextQuery, id_query
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import ChainPublic
from app.store import queries
from app.store.tables import IndustryChain
from app.vocabulary import RESOURCE_PATHS, ChainKind, RecordType

ChainId = Annotated[
    str,
    Path(
        description="Id of the industry chain, cluster or system.",
        examples=["rail-transit-equipment-cluster"],
    ),
]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.industry_chain], tags=["industry chains"])


@router.get(
    "",
    summary="List industry chains, clusters and systems",
    response_model=ListOf[ChainPublic],
    responses=LIST_RESPONSES,
    operation_id="list_industry_chains",
    description='The "3+3+2" modern industrial system with its groups and members, China '
    "Power Valley with its three power industries, the clusters and industries the article "
    "names, and the 17 chains (counted, never named, by the article). `parent` and "
    "`children` give the hierarchy; `related` links the same industry in another grouping.",
)
async def list_industry_chains(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
    kind: Annotated[ChainKind | None, Query(description="Kind of record.")] = None,
    parent: Annotated[str | None, id_query("Only children of this id.")] = None,
    q: TextQuery = None,
) -> Response:
    """List industry chains."""
    page = page_request(request, paging)
    found = await db.run(queries.list_chains, kind.value if kind else None, parent, q, page)
    return list_response(request, found, page, ChainPublic, paging.bom)


@router.get(
    "/{chain_id}",
    summary="Get one industry chain, cluster or system",
    response_model=ChainPublic,
    responses=RECORD_RESPONSES,
    operation_id="get_industry_chain",
    description="One record with its hierarchy, related records, companies and places, and "
    "the metrics and events that concern it.",
)
async def get_industry_chain(
    request: Request, chain_id: ChainId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """Get one industry chain."""
    payload = await db.run(queries.get_payload, IndustryChain, chain_id)
    record = found_or_404(payload, "industry chain", chain_id)
    return record_response(request, record, ChainPublic, export)
