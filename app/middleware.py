"""Pure-ASGI edge behaviour: HEAD and OPTIONS, security headers, and a last-resort 500."""

import logging

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import ALLOWED_METHODS, problem_response

log = logging.getLogger("app.middleware")


class EdgeMiddleware:
    """HEAD runs as GET with the body dropped; OPTIONS answers Allow; errors become problems.

    It sits inside the CORS middleware, so even a 500 carries the CORS headers.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        head = method == "HEAD"
        if method == "OPTIONS":
            await self._options(scope, receive, send)
            return
        if head:
            scope = {**scope, "method": "GET"}
        started = False

        async def send_wrapper(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and head:
                message = {**message, "body": b"", "more_body": message.get("more_body", False)}
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path"))
            if started:
                raise
            response = problem_response(
                500, "The server failed to answer; the error was logged.", scope.get("path", "")
            )
            await response(scope, receive, send_wrapper)

    async def _options(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer OPTIONS for any existing path with the allowed methods."""
        probe = {**scope, "method": "GET"}
        status = 0

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]

        await self.app(probe, receive, capture)
        if status == 404:
            response = problem_response(404, f"No resource at {scope['path']}.", scope["path"])
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 204,
                "headers": [
                    (b"allow", ALLOWED_METHODS.encode()),
                    (b"x-content-type-options", b"nosniff"),
                    (b"cache-control", b"public, max-age=86400"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": b""})
