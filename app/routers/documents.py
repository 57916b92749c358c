"""GET /v1/documents: the sources, their paragraphs and their verbatim text."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.exceptions import HTTPException
from starlette.responses import Response

from app import queries
from app.errors import ERROR_RESPONSES
from app.models import Document, DocumentPublic
from app.params import FormatParam, Limit, Offset
from app.reader import ReaderDep
from app.responses import list_response, page_request, record_response
from app.schemas import ListOf

DocumentId = Annotated[
    str, Path(description="Id of the document.", examples=["zhuzhou-2021-11-09"])
]

router = APIRouter(prefix="/v1/documents", tags=["documents"])


@router.get(
    "",
    summary="List source documents",
    response_model=ListOf[DocumentPublic],
    responses={**ERROR_RESPONSES, 200: {"content": {"text/csv": {}}}},
    operation_id="list_documents",
    description="Document metadata (title, publisher as stated on the page, publication "
    "date, SHA-256 of the stored file) and paragraphs with their roles and offsets.",
)
async def list_documents(
    request: Request,
    db: ReaderDep,
    limit: Limit = 50,
    offset: Offset = 0,
    format: FormatParam = None,
) -> Response:
    """List documents."""
    page = page_request(request, limit, offset, format)
    found = await db.run(queries.list_documents, page)
    return list_response(request, found, page, DocumentPublic)


@router.get(
    "/{document_id}",
    summary="Get one document's metadata and paragraphs",
    response_model=DocumentPublic,
    responses=ERROR_RESPONSES,
    operation_id="get_document",
    description="Paragraph offsets are Unicode code points into the text served at "
    "`/v1/documents/{document_id}/text`; only `body` paragraphs carry facts.",
)
async def get_document(document_id: DocumentId, db: ReaderDep) -> Response:
    """Get one document."""
    payload = await db.run(queries.get_payload, Document, document_id)
    if payload is None:
        raise HTTPException(404, f"No document with id {document_id!r}.")
    return record_response(payload)


@router.get(
    "/{document_id}/text",
    summary="Get the stored verbatim text",
    response_class=Response,
    responses={
        **ERROR_RESPONSES,
        200: {
            "content": {"text/plain": {"example": "会员登录 登录 …"}},
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
    if text is None:
        raise HTTPException(404, f"No document with id {document_id!r}.")
    return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8")
