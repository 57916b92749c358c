"""`zhuzhou-facts serve`: uvicorn with the server limits set in one place (app/config.py).

uvicorn's fast parser (httptools) takes a request head of any size and any duration, and serves
HTTP/1.1 requests without a Host header or with two. The protocol below adds what it lacks, before
the application sees the request: a head over LIMIT_REQUEST_HEAD bytes is refused with 431 (each
pipelined request's head on its own, after the answers to the ones before it), a head not
received within TIMEOUT_REQUEST_HEAD seconds closes the connection (408 if part of it came), and a
missing or repeated Host is a 400 (RFC 9112 §3.2; the edge checks its value, app/api/host.py).
The pure-Python h11 parser does the first and the last by itself, at 40% of httptools'
throughput on this API, so it is not used.
"""

import asyncio
import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import Settings, get_settings

HEAD_END = b"\r\n\r\n"  # the empty line that ends a request head (RFC 9112 §2.1)


class BadHost(ValueError):
    """An HTTP/1.1 request without Host, or any request with more than one."""


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head (size and time) and one Host.

    The size limit is per request head, counted from the first byte after the previous head
    (or body) to the CRLF CRLF that ends it, so pipelined requests (RFC 9112 §9.3.2) that
    arrive together are each measured on their own. Bytes are counted before the parser sees
    them: a chunk is fed up to the end of the head it holds, then the rest, so an oversized
    head is refused after LIMIT_REQUEST_HEAD bytes, never buffered whole.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()  # read here: worker processes import this class afresh
        self.max_head = settings.limit_request_head
        self.head_timeout = settings.timeout_request_head
        self.head_bytes = 0  # of the current head, so far
        self.head_tail = b""  # its last bytes, for an end of head split across chunks
        self.body_bytes = 0  # body bytes the parser handed on during one feed
        self.in_head = True
        self.head_timer: asyncio.TimerHandle | None = None
        self.refusal: tuple[int, str] | None = None  # the status and reason to close with

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refusal is not None:
            return  # refused: the rest is never parsed
        start = 0
        while start < len(data) and not self.transport.is_closing():
            if not self.in_head:
                self._feed_body(data[start:] if start else data)
                return
            end = self._head_end(data, start)
            stop = len(data) if end < 0 else end
            self.head_bytes += stop - start
            if self.head_bytes > self.max_head:
                self._refuse(431, "Request Header Fields Too Large")
                return
            if end < 0:
                self.head_tail = (self.head_tail + data[max(start, len(data) - 3) :])[-3:]
            super().data_received(data if start == 0 and stop == len(data) else data[start:stop])
            start = stop

    def _head_end(self, data: bytes, start: int) -> int:
        """The offset in data just past the CRLF CRLF that ends the current head, or -1."""
        if self.head_tail:  # the end may begin in the bytes of the previous chunk
            found = (self.head_tail + data[start : start + 3]).find(HEAD_END)
            if found >= 0:
                return start + found + len(HEAD_END) - len(self.head_tail)
        found = data.find(HEAD_END, start)
        return -1 if found < 0 else found + len(HEAD_END)

    def _feed_body(self, data: bytes) -> None:
        """Feed what follows a head. When the message ends in it, what came after its body
        counts towards the next head: exact after a Content-Length body, an overestimate after
        a chunked one (its framing counts too) or when further whole requests follow."""
        self.body_bytes = 0
        super().data_received(data)
        if self.in_head and not self.transport.is_closing():
            self.head_bytes = max(0, len(data) - self.body_bytes)
            if self.head_bytes > self.max_head:
                self._refuse(431, "Request Header Fields Too Large")

    def on_body(self, body: bytes) -> None:
        self.body_bytes += len(body)
        super().on_body(body)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self.in_head = True
        if self.head_timer is None:
            self._arm()

    def on_headers_complete(self) -> None:
        self.in_head = False
        self.head_bytes = 0
        self.head_tail = b""
        self._disarm()
        hosts = sum(1 for name, _ in self.headers if name == b"host")
        if hosts > 1 or (hosts == 0 and self.parser.get_http_version() == "1.1"):
            raise BadHost  # httptools reports it as a parser error: uvicorn answers 400
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.in_head = True
        self.head_bytes = 0
        self.head_tail = b""

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
        """Answer status and close; after the responses to earlier pipelined requests, if any
        are still being made (reading stops meanwhile, and nothing more is parsed)."""
        self.in_head = False
        self.refusal = (status, reason)
        if self.cycle is not None and not self.cycle.response_complete:
            self.flow.pause_reading()
            return
        self._send_refusal()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self.refusal is not None and self.cycle.response_complete and not self.pipeline:
            self._send_refusal()

    def _send_refusal(self) -> None:
        if self.refusal is None or self.transport.is_closing():
            return
        status, reason = self.refusal
        body = f"{reason}\n".encode()
        head = (
            f"HTTP/1.1 {status} {reason}\r\ncontent-type: text/plain; charset=utf-8\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
        )
        self.transport.write(head.encode() + body)
        self.transport.close()


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
