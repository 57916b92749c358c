"""Route dependencies: the loaded dataset's reader, and one record by id or a 404."""

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException

from app.store import queries
from app.store.reader import Reader


async def get_reader(request: Request) -> Reader:
    """The app's reader (async, so resolving it costs no thread hop)."""
    reader: Reader = request.app.state.dataset.reader
    return reader


ReaderDep = Annotated[Reader, Depends(get_reader)]


async def record_or_404(db: Reader, table: Any, record_id: str, noun: str) -> str:
    """The stored payload of one record; an unknown id is a 404 problem naming it."""
    payload = await db.run(queries.get_payload, table, record_id)
    if payload is None:
        raise HTTPException(404, f"No {noun} with id {record_id!r}.")
    return payload
