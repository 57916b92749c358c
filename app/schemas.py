"""Response envelopes shared by the routers."""

from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, Field

from app.models import Bilingual

T = TypeVar("T")


class ListOf(BaseModel, Generic[T]):
    """A page of records; the Link header points to the other pages."""

    items: list[T]
    total: int = Field(description="Records matching the filters, on all pages.")
    limit: int
    offset: int


class SearchHit(BaseModel):
    """A record that matches, with where to fetch it."""

    type: Literal["metric", "industry_chain", "event", "entity"]
    id: str
    name: Bilingual
    quote: str
    score: float = Field(description="Higher is better: name matches outrank quote matches.")
    url: str
