"""GET /livez and /readyz: for orchestrators and load balancers."""

import re

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api.errors import (
    ERROR_RESPONSES,
    RETRY_AFTER_SECONDS,
    Problem,
    instance_of,
    problem_response,
)
from app.api.responses import model_json
from app.store.state import DatasetState

router = APIRouter(tags=["health"])
# An absolute path of this machine (e.g. the database file's) in a readiness detail: its
# directories are nobody's business, so only the file's name is said.
ABSOLUTE_PATH = re.compile(r"(?<![\w.:/])/(?:[^\s/]+/)*([^\s/]*)")


class Liveness(BaseModel):
    """The process answers."""

    status: str


class Readiness(BaseModel):
    """The database answers at the expected schema revision with a dataset loaded."""

    status: str
    dataset_version: str
    schema_revision: str


@router.get(
    "/livez",
    summary="Liveness",
    response_model=Liveness,
    operation_id="livez",
    description="200 whenever the process can answer; it never touches the database.",
)
def livez() -> Response:
    """Report liveness."""
    return model_json(Liveness(status="ok"))


@router.get(
    "/readyz",
    summary="Readiness",
    response_model=Readiness,
    responses={
        503: {
            "model": Problem,
            "description": "Database file missing or unreadable, schema not at the "
            "expected revision, no dataset loaded, or the integrity probe failed; try again "
            "after `Retry-After` seconds.",
            "content": {"application/problem+json": {}},
            "headers": ERROR_RESPONSES[503]["headers"],
        }
    },
    operation_id="readyz",
    description="200 when the database file on disk (SQLite) or the server (PostgreSQL) answers, "
    "its schema is at the migrations' head, a dataset is loaded (its version is reported, a new "
    "one at once after a reseed), every table answers, and SQLite's `PRAGMA quick_check` passes "
    "(run for each new file, then at most once a minute); 503 with `Retry-After` otherwise, "
    "saying why (no path of the machine in it), also when PostgreSQL does not answer within "
    "DATABASE_TIMEOUT.",
)
async def readyz(request: Request) -> Response:
    """Report readiness."""
    state: DatasetState = request.app.state.dataset
    found = await state.check()
    if not found.ready or found.version is None:
        return problem_response(
            503,
            public_detail(found.detail),
            instance_of(request.scope),
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    revision = found.revision or ""
    return model_json(
        Readiness(status="ready", dataset_version=found.version, schema_revision=revision)
    )


def public_detail(detail: str) -> str:
    """A readiness detail fit for any client: each absolute path in it becomes its last part
    (`no readable file at /srv/db/facts.sqlite3.` → `no readable file at facts.sqlite3.`)."""
    return ABSOLUTE_PATH.sub(lambda m: m.group(1), detail)
