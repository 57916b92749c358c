"""Pure-ASGI edge: CORS, preflight and OPTIONS, HEAD, nosniff, and a last-resort 500.

It is the outermost layer, so every response, errors and 500s included, carries the CORS and
security headers. CORS is fixed policy (any origin, GET/HEAD/OPTIONS, no credentials), so it is
a few constant headers rather than a general-purpose middleware.
"""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ALLOWED_METHODS, problem_response

log = logging.getLogger("app.middleware")

NOSNIFF = (b"x-content-type-options", b"nosniff")
CORS = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Link, X-Total-Count"),
)
ALLOWED = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_REQUEST_HEADERS = (
    "Accept, Accept-Encoding, Accept-Language, Cache-Control, "
    "Content-Language, Content-Type, If-None-Match"
)
PREFLIGHT_MAX_AGE = b"86400"


def edge_headers(origin: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The headers the edge adds to every response (CORS only for cross-origin requests)."""
    return (NOSNIFF, *CORS) if origin else (NOSNIFF,)


class EdgeMiddleware:
    """The outermost layer: headers every response needs, and the methods a read-only API has."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = request_method = None
        for name, value in scope["headers"]:
            if name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                request_method = value
        extra = list(edge_headers(origin is not None))
        sender = _Sender(send, extra, drop_body=scope["method"] == "HEAD")
        send = sender
        method = scope["method"]
        try:
            if method == "OPTIONS":
                if origin is not None and request_method is not None:
                    await self._preflight(scope, receive, send, request_method.decode("latin-1"))
                else:
                    await self._options(scope, receive, send)
                return
            if method == "HEAD":
                scope = {**scope, "method": "GET"}
            await self.app(scope, receive, send)
        except Exception:
            if sender.finished:
                return  # the framework sent its 500 problem and logged the error (errors.py)
            log.exception("unhandled error on %s %s", method, scope.get("path"))
            if sender.started:
                raise  # half a response: only the server can abort the connection
            await problem_response(
                500, "The server failed to answer; the error was logged.", scope.get("path", "")
            )(scope, receive, send)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        if method.upper() not in ALLOWED:
            await problem_response(
                405,
                f"CORS preflight for {method}: this API is read-only ({ALLOWED_METHODS}).",
                scope["path"],
                headers={"Allow": ALLOWED_METHODS},
            )(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"access-control-allow-methods", ALLOWED_METHODS.encode()),
                    (b"access-control-allow-headers", ALLOWED_REQUEST_HEADERS.encode()),
                    (b"access-control-max-age", PREFLIGHT_MAX_AGE),
                    (
                        b"vary",
                        b"Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                    ),
                    (b"content-length", b"0"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})

    async def _options(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer OPTIONS for any existing path with the allowed methods."""
        status = 0

        async def probe(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app({**scope, "method": "GET", "headers": []}, receive, probe)
        if status == 404:
            await problem_response(404, f"No resource at {scope['path']}.", scope["path"])(
                scope, receive, send
            )
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"allow", ALLOWED_METHODS.encode()),
                    (b"cache-control", b"public, max-age=86400"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})


class _Sender:
    """Adds headers to the response start; for HEAD, sends no body bytes."""

    def __init__(self, send: Send, extra: list[tuple[bytes, bytes]], drop_body: bool) -> None:
        self.send = send
        self.extra = extra
        self.drop_body = drop_body
        self.started = False
        self.finished = False

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            message = {**message, "headers": [*message.get("headers", ()), *self.extra]}
        elif message["type"] == "http.response.body":
            self.finished = not message.get("more_body", False)
            if self.drop_body:
                message = {**message, "body": b""}
        await self.send(message)
