"""`zhuzhou-facts serve`: uvicorn with the server limits set in one place (app/config.py).

uvicorn's fast parser (httptools) takes a request head of any size and any duration, and serves
HTTP/1.1 requests without a Host header or with two. The protocol below adds what it lacks, before
the application sees the request: a head over LIMIT_REQUEST_HEAD bytes is refused with 431, a head
not received within TIMEOUT_REQUEST_HEAD seconds closes the connection (408 if part of it came),
and a Host rule violation is a 400 (RFC 9112 §3.2). The pure-Python h11 parser does the first and
the last by itself, at 40% of httptools' throughput on this API, so it is not used.
"""

import asyncio
import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings


class BadHost(ValueError):
    """An HTTP/1.1 request without Host, or any request with more than one."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head (size and time) and one Host."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()  # read here: worker processes import this class afresh
        self.max_head = settings.limit_request_head
        self.head_timeout = settings.timeout_request_head
        self.head_bytes = 0
        self.in_head = True
        self.head_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.in_head:
            # Counted before parsing, so an oversized head is never buffered whole.
            self.head_bytes += len(data)
            if self.head_bytes > self.max_head:
                self._refuse(431, "Request Header Fields Too Large")
                return
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        if self.head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.head_bytes = 0
        self._disarm()
        hosts = sum(1 for name, _ in self.headers if name == b"host")
        if hosts > 1 or (hosts == 0 and self.parser.get_http_version() == "1.1"):
            raise BadHost  # httptools reports it as a parser error: uvicorn answers 400
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head = True
        self.head_bytes = 0

    def _arm(self) -> None:
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.in_head or self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a response is still being written; the next head waits for it
        if self.head_bytes:
            self._refuse(408, "Request Timeout")
        else:
            self.transport.close()  # nothing came: close silently, as nginx does

    def _refuse(self, status: int, reason: str) -> None:
        body = f"{reason}\n".encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()
        self.in_head = False


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the app's own loggers (e.g. a fault's one line) printed alike."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(host: str, port: int, settings: Settings | None = None) -> None:
    """Run the API under uvicorn with the configured limits (blocks until shut down)."""
    settings = settings or get_settings()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=settings.workers,
        http=GuardedHttpToolsProtocol,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_keep_alive=settings.timeout_keep_alive,
        timeout_graceful_shutdown=settings.timeout_graceful_shutdown,
        limit_concurrency=settings.limit_concurrency,
        backlog=settings.backlog,
        log_config=log_config(),
    )
