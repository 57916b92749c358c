"""GET /v1/datapackage.json: the lists as a Frictionless Data Package (app/api/datapackage.py)."""

from typing import Any

import orjson
from fastapi import APIRouter, Request
from starlette.responses import Response

from app.api.datapackage import datapackage
from app.api.deps import ReaderDep
from app.api.errors import ERROR_RESPONSES
from app.api.responses import json_response
from app.api.urls import base_url
from app.store import info

router = APIRouter(tags=["dataset"])


@router.get(
    "/v1/datapackage.json",
    summary="The lists as a Frictionless Data Package",
    response_model=dict[str, Any],
    operation_id="get_datapackage",
    responses={code: ERROR_RESPONSES[code] for code in (406, 412, 503)},
    description="A Frictionless Data Package (v2) with one tabular resource per list, each at "
    "its CSV endpoint (the whole list), with field types, constraints, units and descriptions "
    "in English and Chinese (`description@zh`), and the primary and foreign keys. "
    "`frictionless validate <this URL>` checks the live data against it.",
)
async def get_datapackage(request: Request, db: ReaderDep) -> Response:
    """The data package of this dataset."""
    version = await db.run(info.dataset_version)
    documents = await db.run(info.document_summaries)
    return json_response(orjson.dumps(datapackage(base_url(request.scope), version, documents)))
