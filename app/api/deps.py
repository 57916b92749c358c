"""Route dependencies: the loaded dataset's reader; one record by id, or a 404."""

from typing import Annotated, TypeVar

from fastapi import Depends, Request
from fastapi.exceptions import HTTPException

from app.store.reader import Reader


async def get_reader(request: Request) -> Reader:
    """The app's reader (async, so resolving it costs no thread hop)."""
    reader: Reader = request.app.state.dataset.reader
    return reader


ReaderDep = Annotated[Reader, Depends(get_reader)]
T = TypeVar("T")


def found_or_404(found: T | None, noun: str, record_id: str) -> T:
    """What a query found for one id; nothing is a 404 problem naming the id."""
    if found is None:
        raise HTTPException(404, f"No {noun} with id {record_id!r}.")
    return found
