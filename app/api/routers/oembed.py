"""GET /oembed: oEmbed (https://oembed.com/, `rich`) for a fact card or a series chart, so a
CMS that knows the URL of one of our embed pages gets the iframe snippet to paste."""

from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Query, Request
from fastapi.exceptions import HTTPException
from pydantic import BaseModel, Field
from starlette.responses import Response

from app.api.deps import ReaderDep, found_or_404
from app.api.embed.oembed import OEmbedError, build_oembed, check_format, parse_embed_url, title_for
from app.api.errors import ERROR_RESPONSES, PROBLEM_JSON, Problem
from app.api.responses import json_response
from app.api.urls import base_url
from app.store import queries
from app.store.tables import Indicator, Metric

TABLES: dict[str, Any] = {"metric": Metric, "indicator": Indicator}

router = APIRouter(tags=["oembed"])


class OEmbedRich(BaseModel):
    """An oEmbed 1.0 `rich` response (§2.3.4): the HTML to paste, and its starting size."""

    version: str = Field(examples=["1.0"])
    type: str = Field(examples=["rich"])
    title: str = Field(description="In the embed's language: name and value, or the series.")
    provider_name: str
    provider_url: str
    html: str = Field(description="The iframe and the one-line script that sizes it.")
    width: int
    height: int = Field(description="A starting height; the page reports its own by message.")


@router.get(
    "/oembed",
    summary="oEmbed for a fact card or a series chart",
    response_model=OEmbedRich,
    responses={
        **ERROR_RESPONSES,
        501: {
            "model": Problem,
            "description": "A `format` other than json.",
            "content": {PROBLEM_JSON: {}},
        },
    },
    operation_id="oembed",
    description="The oEmbed `rich` response for the URL of a fact card "
    "(`/embed/metrics/{id}`) or a series chart (`/embed/indicators/{id}/chart`) of this "
    "service, with its `lang` and `theme`. Both pages link here "
    '(`<link rel="alternate" type="application/json+oembed">`). A URL that is not one of '
    "them is 404; `format=xml` is 501.",
)
async def oembed(
    request: Request,
    db: ReaderDep,
    url: Annotated[str, Query(description="The embed page's URL.", max_length=2000)],
    format: Annotated[str | None, Query(description="`json` (the only format).")] = None,
    maxwidth: Annotated[int | None, Query(ge=1, le=10000, description="Widest, in px.")] = None,
    maxheight: Annotated[int | None, Query(ge=1, le=10000, description="Tallest, in px.")] = None,
) -> Response:
    """oEmbed for one of our embed pages."""
    base = base_url(request.scope)
    try:
        check_format(format)
        target = parse_embed_url(url, base_url=base)
    except OEmbedError as error:
        raise HTTPException(error.status, error.detail) from None
    payload = await db.run(queries.get_payload, TABLES[target.kind], target.id)
    record = orjson.loads(found_or_404(payload, target.kind, target.id))
    body = build_oembed(
        target,
        title=title_for(target, record),
        base_url=base,
        maxwidth=maxwidth,
        maxheight=maxheight,
    )
    return json_response(orjson.dumps(body))
