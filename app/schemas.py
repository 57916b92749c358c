"""Response envelopes shared by the routers."""

from typing import Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")


class ListOf(BaseModel, Generic[T]):
    """A page of records; the Link header points to the other pages."""

    items: list[T]
    total: int = Field(description="Records matching the filters, on all pages.")
    limit: int
    offset: int
