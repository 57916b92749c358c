"""The problems `zhuzhou-facts serve` answers itself, before any application code runs
(app/cli/protocol.py): the app's shape (app/api/errors.py) with the edge's headers
(app/api/edge.py), never stored, and the connection closed after them."""

from typing import Any

import orjson

from app.api.edge import CORS, DENY_FRAMING, NOSNIFF
from app.api.errors import ALLOWED_METHODS, PROBLEM_JSON, RETRY_AFTER_SECONDS, problem_body

ALLOW = (b"allow", ALLOWED_METHODS.encode())
RETRY_AFTER = (b"retry-after", str(RETRY_AFTER_SECONDS).encode())
Headers = list[tuple[bytes, bytes]]


class Refused(Exception):
    """Raised in a parser callback to stop the parser once a request is refused."""


def problem(status: int, detail: str, instance: str, extra: Headers) -> tuple[Headers, bytes]:
    """The headers and body of a problem answered by the server itself: the app's shape, the
    edge's headers, never stored (RFC 9111 §5.2.2.5), and the connection closed after it."""
    body = orjson.dumps(problem_body(status, detail, instance))
    headers = [
        (b"content-type", PROBLEM_JSON.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *extra,
        NOSNIFF,
        *CORS,
        DENY_FRAMING,
        (b"connection", b"close"),
    ]
    return headers, body


def overloaded(instance: str) -> Any:
    """An ASGI app for uvicorn's 503 beyond LIMIT_CONCURRENCY: the problem, with Retry-After
    like the app's own 503 (RFC 9110 §10.2.3)."""
    detail = "The server has too many connections and requests in progress; try again shortly."
    headers, body = problem(503, detail, instance, [RETRY_AFTER])

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    return app
