"""GET /v1/documents: the sources, their paragraphs and their verbatim text."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.errors import ERROR_RESPONSES, LIST_RESPONSES, RECORD_RESPONSES
from app.api.params import PagingDep, RecordExportDep
from app.api.responses import ListOf, list_response, page_request, record_response
from app.models import DocumentPublic
from app.store import queries
from app.store.tables import Document
from app.vocabulary import RESOURCE_PATHS, RecordType

DocumentId = Annotated[
    str, Path(description="Id of the document.", examples=["zhuzhou-2021-11-09"])
]

router = APIRouter(prefix=RESOURCE_PATHS[RecordType.document], tags=["documents"])


@router.get(
    "",
    summary="List source documents",
    response_model=ListOf[DocumentPublic],
    responses=LIST_RESPONSES,
    operation_id="list_documents",
    description="Document metadata (title, publisher as stated on the page, publication "
    "date, SHA-256 of the stored file) and paragraphs with their roles and offsets.",
)
async def list_documents(
    request: Request,
    db: ReaderDep,
    paging: PagingDep,
) -> Response:
    """List documents."""
    page = page_request(request, paging)
    found = await db.run(queries.list_documents, page)
    return list_response(request, found, page, DocumentPublic, paging.bom)


@router.get(
    "/{document_id}",
    summary="Get one document's metadata and paragraphs",
    response_model=DocumentPublic,
    responses=RECORD_RESPONSES,
    operation_id="get_document",
    description="Paragraph offsets are Unicode code points into the text served at "
    "`/v1/documents/{document_id}/text`; only `body` paragraphs carry facts.",
)
async def get_document(
    request: Request, document_id: DocumentId, db: ReaderDep, export: RecordExportDep
) -> Response:
    """Get one document."""
    payload = await db.run(queries.get_payload, Document, document_id)
    record = found_or_404(payload, "document", document_id)
    return record_response(request, record, DocumentPublic, export)


@router.get(
    "/{document_id}/text",
    summary="Get the stored verbatim text",
    response_class=Response,
    responses={
        404: ERROR_RESPONSES[404],
        406: ERROR_RESPONSES[406],
        412: ERROR_RESPONSES[412],
        503: ERROR_RESPONSES[503],
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}, "example": "会员登录 登录 …"}},
            "description": "The stored file, byte for byte (its SHA-256 is in the metadata).",
        },
    },
    operation_id="get_document_text",
    description="The document exactly as stored, as `text/plain; charset=utf-8`, so anyone "
    "can check `text[start:end] == quote` for every record (offsets count code points).",
)
async def get_document_text(document_id: DocumentId, db: ReaderDep) -> Response:
    """Get the text of one document."""
    text = await db.run(queries.document_text, document_id)
    text = found_or_404(text, "document", document_id)
    return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8")
