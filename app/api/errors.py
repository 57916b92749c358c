"""The one error shape: RFC 9457 problem details, built here and nowhere else.

FastAPI's handlers here answer its HTTP errors (404, 405), validation errors (422) and a
dataset that cannot be read (503, with Retry-After; the store logs the cause once per fault, so
nothing is logged here); an unhandled exception is answered by the edge (app/api/edge.py) with
the 500 problem built here.
"""

import re
from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import orjson
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Scope

from app.api.offers import flat_routes
from app.api.params import PATTERN_RULES
from app.api.urls import PATH_SAFE
from app.store.reader import DatasetUnavailable

PROBLEM_JSON = "application/problem+json"
UNAVAILABLE_DETAIL = "The dataset cannot be read right now; try again shortly."
ALLOWED_METHODS = "GET, HEAD, OPTIONS"
RETRY_AFTER_SECONDS = 5  # how soon a client may ask again while the dataset cannot be read

_TYPES = {
    400: "bad-request",
    404: "not-found",
    405: "method-not-allowed",
    406: "not-acceptable",
    412: "precondition-failed",
    422: "validation-error",
    500: "internal-error",
    501: "not-implemented",
    503: "not-ready",
}


class FieldError(BaseModel):
    """One invalid parameter."""

    loc: list[str | int] = Field(description='Where: e.g. ["query", "limit"].')
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, served as application/problem+json."""

    type: str = Field(
        description="A URI naming the kind of problem.",
        examples=["urn:zhuzhou-facts:problem:not-found"],
    )
    title: str = Field(description="The HTTP status phrase.", examples=["Not Found"])
    status: int = Field(examples=[404])
    detail: str = Field(examples=["No metric with id 'gdp-2030'."])
    instance: str = Field(
        description="The request's path as received, percent-encoded: a URI reference (RFC 9457 "
        "§3.1.5).",
        examples=["/v1/metrics/gdp-2030"],
    )
    errors: list[FieldError] | None = Field(
        default=None, description="The invalid parameters (422 only)."
    )


def instance_of(scope: Scope) -> str:
    """The request target's path as the client sent it, behind the path prefix: a URI
    reference for `instance` (RFC 9457 §3.1.5). Its escapes and separators are kept as sent;
    what a URI cannot hold is percent-encoded (RFC 3986 §2.1: a byte outside `pchar` and `/`,
    a `%` without two hex digits after it), and a path that begins with `//`, which a
    reference would read as a host (`//evil.example/x`), is written `/.//…` (RFC 3986 §3.3,
    §5.2.4: the same path)."""
    raw = scope.get("raw_path")
    path = uri_path(raw) if raw else quote(scope.get("path", ""), safe=PATH_SAFE)
    root = quote(scope.get("root_path", ""), safe=PATH_SAFE)
    path = path if path.startswith(root) else root + path
    return "/." + path if path.startswith("//") else path


_STRAY_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")


def uri_path(raw: bytes) -> str:
    """A path as received, with every byte a URI path cannot hold percent-encoded."""
    return _STRAY_PERCENT.sub("%25", quote(raw, safe=PATH_SAFE))


def problem_type(status: int) -> str:
    """The type URI of a status."""
    return f"urn:zhuzhou-facts:problem:{_TYPES.get(status, 'http-' + str(status))}"


def problem_body(
    status: int, detail: str, instance: str, errors: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """The problem document itself (also used for the OpenAPI examples)."""
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def not_allowed(method: str) -> str:
    """The detail of a 405 (also the server's own, app/cli/protocol.py)."""
    return f"{method} is not allowed: this API is read-only ({ALLOWED_METHODS})."


def problem_response(
    status: int,
    detail: str,
    instance: str,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, Any]] | None = None,
) -> Response:
    """Render a problem; every 4xx and 5xx of the API goes through here. A problem is never
    stored by any cache (`Cache-Control: no-store`, RFC 9111 §5.2.2.5): it describes one
    request, and the next may well succeed."""
    return Response(
        orjson.dumps(problem_body(status, detail, instance, errors)),
        status_code=status,
        headers={"Cache-Control": "no-store", **(headers or {})},
        media_type=PROBLEM_JSON,
    )


def _http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 405:
        headers["Allow"] = ALLOWED_METHODS
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        slashless = _without_trailing_slash(request)
        if slashless is not None:
            return Response(status_code=308, headers={"Location": slashless})
        detail = f"No resource at {request.url.path}."
    if exc.status_code == 405 and detail == "Method Not Allowed":
        detail = not_allowed(request.method)
    return problem_response(exc.status_code, detail, instance_of(request.scope), headers=headers)


def _without_trailing_slash(request: Request) -> str | None:
    """For `/v1/metrics/`, the relative reference `/v1/metrics?…` when that path exists: a
    redirect that stays right behind a path prefix and a TLS-terminating proxy."""
    path: str = request.scope["path"]
    if not path.endswith("/") or path == request.scope.get("root_path", "") + "/":
        return None
    probe = {**request.scope, "path": path.rstrip("/")}
    if not any(r.matches(probe)[0] is Match.FULL for r in flat_routes(request.app.routes)):
        return None
    query = request.scope.get("query_string", b"").decode("latin-1")
    target = quote(path.rstrip("/"), safe=PATH_SAFE)
    return target + (f"?{query}" if query else "")


def _message(error: Any) -> str:
    """Pydantic's message, or for a pattern of ours the rule in words (app/api/params.py)."""
    pattern = (error.get("ctx") or {}).get("pattern")
    if error.get("type") == "string_pattern_mismatch" and pattern in PATTERN_RULES:
        return PATTERN_RULES[pattern]
    return str(error.get("msg", ""))


def _validation(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    errors = [
        {"loc": list(e.get("loc", ())), "msg": _message(e), "type": str(e.get("type"))}
        for e in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in e["loc"][1:]) or str(e["loc"]) for e in errors)
    detail = f"Invalid parameter(s): {fields}."
    return problem_response(422, detail, instance_of(request.scope), errors=errors)


def _unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DatasetUnavailable)
    return problem_response(
        503,
        UNAVAILABLE_DETAIL,
        instance_of(request.scope),
        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
    )


def install(app: FastAPI) -> None:
    """Register the problem handlers on an app."""
    app.add_exception_handler(HTTPException, _http_exception)
    app.add_exception_handler(RequestValidationError, _validation)
    app.add_exception_handler(DatasetUnavailable, _unavailable)


def _problem(description: str) -> dict[str, Any]:
    return {"model": Problem, "description": description, "content": {PROBLEM_JSON: {}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    404: _problem("Unknown id or path."),
    406: _problem("No representation this route offers is acceptable (`Accept`, `format`)."),
    412: _problem("`If-Match` names no current representation."),
    422: _problem("Invalid parameter; `errors` lists them."),
    503: {
        **_problem("The database cannot be read now; try again after `Retry-After` seconds."),
        "headers": {
            "Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}
        },
    },
}
# A list is JSON, CSV or NDJSON; a record is JSON or a one-row CSV.
LIST_RESPONSES = {
    **ERROR_RESPONSES,
    200: {"content": {"text/csv": {"schema": {"type": "string"}}, "application/x-ndjson": {}}},
}
RECORD_RESPONSES = {
    **ERROR_RESPONSES,
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
}
