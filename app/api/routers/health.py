"""GET /livez and /readyz: for orchestrators and load balancers."""

from fastapi import APIRouter, Request
from pydantic import BaseModel
from starlette.responses import Response

from app.api.errors import Problem, problem_response
from app.api.responses import model_json
from app.store import info
from app.store.migrations import current_revision, head_revision
from app.store.state import DatasetState

router = APIRouter(tags=["health"])


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
            "description": "Database unreachable, schema not at "
            "the expected revision, or no dataset loaded.",
            "content": {"application/problem+json": {}},
        }
    },
    operation_id="readyz",
    description="200 when the database answers, its schema is at the migrations' head and a "
    "dataset is loaded (its version is reported); 503 otherwise.",
)
def readyz(request: Request) -> Response:
    """Report readiness."""
    state: DatasetState = request.app.state.dataset
    expected = head_revision()
    try:
        revision = current_revision(state.engine)
        version = info.dataset_version(state.reader)
    except Exception as exc:  # any database failure means "not ready", never a 500
        return problem_response(
            503, f"Database unavailable: {type(exc).__name__}.", request.url.path
        )
    if revision != expected:
        return problem_response(
            503, f"Schema at revision {revision}, expected {expected}.", request.url.path
        )
    if version is None:
        return problem_response(
            503, "No dataset is loaded; run the seed command.", request.url.path
        )
    return model_json(
        Readiness(status="ready", dataset_version=version, schema_revision=revision or "")
    )
