"""The edge, the layer behind the replay of repeats: the Host check, CORS and preflights,
OPTIONS, HEAD, nosniff, framing, and the 500.

Every response passes it, cached answers, 304s and errors included (a replayed repeat carries
what it added the first time), so it is the one place that refuses a request whose Host fields
break RFC 9112 §3.2 (a 400 problem, app/api/host.py, before the Host is written into any URL),
adds the headers every response needs, answers HEAD (as GET without the body), and turns an
unhandled error into the 500 problem (logged once, here). CORS is fixed policy (any origin,
GET/HEAD/OPTIONS, no credentials), so its headers are constant and sent on every response,
whether the request has an Origin or not: a shared cache that stored a response to a request
without Origin hands a browser the same CORS headers (Fetch standard §3.2.5), and no
`Vary: Origin` is needed. Range requests are not supported: `Range` is ignored (RFC 9110 §14.2
allows it) and no `Accept-Ranges` is advertised, so every answer is the whole representation.
"""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.errors import ALLOWED_METHODS, instance_of, problem_response
from app.api.host import host_problem

log = logging.getLogger("app.edge")

NOSNIFF = (b"x-content-type-options", b"nosniff")
# The response fields a script may read beyond the CORS-safelisted ones.
EXPOSED = "ETag, Link, X-Total-Count, Allow, Retry-After, Content-Disposition, Vary"
CORS = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", EXPOSED.encode()),
)
IGNORED_REQUEST_FIELDS = frozenset({b"range", b"if-range"})
ALLOWED = frozenset({"GET", "HEAD", "OPTIONS"})
ALLOWED_REQUEST_HEADERS = (
    "Accept, Accept-Encoding, Accept-Language, Cache-Control, "
    "Content-Language, Content-Type, If-Match, If-None-Match"
)
PREFLIGHT_MAX_AGE = b"86400"
# Framing: a response whose Content-Security-Policy states `frame-ancestors` says itself who may
# frame it (the embed pages: anyone); every other response refuses to be framed. Not on a 304:
# its headers update the stored 200's, which has its own.
DENY_FRAMING = (b"x-frame-options", b"DENY")


class EdgeMiddleware:
    """Headers every response needs, the methods a read-only API has, and the last resort."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        origin = request_method = None
        ranged = False
        hosts: list[bytes] = []
        for name, value in scope["headers"]:
            if name == b"host":
                hosts.append(value)
            elif name == b"origin":
                origin = value
            elif name == b"access-control-request-method":
                request_method = value
            elif name in IGNORED_REQUEST_FIELDS:
                ranged = True
        if ranged:
            headers = [(k, v) for k, v in scope["headers"] if k not in IGNORED_REQUEST_FIELDS]
            scope = {**scope, "headers": headers}
        method = scope["method"]
        sender = _Sender(send, [NOSNIFF, *CORS], drop_body=method == "HEAD")
        bad_host = host_problem(hosts, scope.get("http_version", "1.1"))
        if bad_host is not None:  # before anything writes the Host into a URL
            await problem_response(400, bad_host, instance_of(scope))(scope, receive, sender)
            return
        try:
            if method == "OPTIONS":
                if origin is not None and request_method is not None:
                    await self._preflight(scope, receive, sender, request_method.decode("latin-1"))
                else:
                    await self._options(scope, receive, sender)
                return
            if method == "HEAD":  # the only place HEAD is handled: GET, then no body
                scope = {**scope, "method": "GET"}
            await self.app(scope, receive, sender)
        except Exception:
            log.exception("unhandled error on %s %s", method, scope.get("path"))
            if sender.started:
                raise  # half a response: only the server can abort the connection
            await problem_response(
                500,
                "The server failed to answer; the error was logged.",
                instance_of(scope),
            )(scope, receive, sender)

    async def _preflight(self, scope: Scope, receive: Receive, send: Send, method: str) -> None:
        if method.upper() not in ALLOWED:
            await problem_response(
                405,
                f"CORS preflight for {method}: this API is read-only ({ALLOWED_METHODS}).",
                instance_of(scope),
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
            detail = f"No resource at {scope['path']}."
            await problem_response(404, detail, instance_of(scope))(scope, receive, send)
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

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
            headers = [*message.get("headers", ()), *self.extra]
            if message["status"] != 304 and not _states_framing(headers):
                headers.append(DENY_FRAMING)
            message = {**message, "headers": headers}
        elif message["type"] == "http.response.body" and self.drop_body:
            message = {**message, "body": b""}
        await self.send(message)


def _states_framing(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k == b"content-security-policy" and b"frame-ancestors" in v for k, v in headers)
