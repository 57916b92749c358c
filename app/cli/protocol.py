"""The HTTP/1.1 protocol `zhuzhou-facts serve` gives uvicorn (app/cli/serve.py).

uvicorn's fast parser (httptools) takes a request head of any size and any duration, reads a
request body as slowly as it comes, and answers what it cannot parse with plain text. The
protocol below adds what it lacks, before the application sees the request, and answers every
refusal as the application answers its errors (app/api/errors.py), with the edge's headers:

- a head over LIMIT_REQUEST_HEAD bytes is a 431 (RFC 6585 §5), each pipelined head measured on
  its own (RFC 9112 §9.3.2), after the answers to the ones before it;
- a head not received within TIMEOUT_REQUEST_HEAD seconds of its first byte, or of the end of
  the response before it if that is later, closes the connection (a 408 if part of it came,
  RFC 9110 §15.5.9; a connection that never sends a byte is closed silently);
- a request with content (Content-Length above 0, or any Transfer-Encoding) is refused before
  its content is read, and the connection closed: a GET's content has no meaning (RFC 9110
  §9.3.1) and no route of this read-only API reads one, so it is a 413 (RFC 9110 §15.5.14), or
  a 405 for a method the API does not allow. So no request body is ever read, and nothing sent
  after one is parsed (no request smuggled in it, RFC 9112 §11.2);
- what the parser cannot read is a 400 (RFC 9112 §3), a version other than HTTP/1.0 and 1.1 a
  505 (RFC 9110 §15.6.6; llhttp knows no other 1.x, and an HTTP/0.9 client could not read a
  head), a method it does not recognise a 501 (RFC 9110 §9.1);
- uvicorn's 503 beyond LIMIT_CONCURRENCY carries Retry-After, like the app's;
- at most PIPELINE_DEPTH pipelined requests wait behind the one being answered (RFC 9112
  §9.3.2 lets a server bound them): the bytes after them are parsed as the queue drains, and
  reading stops meanwhile, so a client that pipelines without reading costs a bounded amount;
- a refusal closes the connection the way RFC 9112 §9.6 asks: the server ends its side, then
  reads and discards what the client still sends for up to LINGER_SECONDS, so a reset does not
  destroy the answers the client has not read yet;
- an absolute-form request target (`GET http://host/path`) names the host: its authority
  replaces the Host field's value (RFC 9112 §3.2.2); one that is not an http or https URI, or
  carries user information, is a 400 (RFC 9110 §4.2.1, §4.2.4).

The Host rule (RFC 9112 §3.2) is the edge's (app/api/host.py). The pure-Python h11 parser
bounds heads by itself, at 40% of httptools' throughput on this API, so it is not used.
"""

import asyncio
from typing import Any

import httptools
from uvicorn.protocols.http.flow_control import service_unavailable
from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol
from uvicorn.protocols.http.httptools_impl import RequestResponseCycle as Cycle

from app.api.errors import ALLOWED_METHODS, instance_of, not_allowed
from app.cli.refusals import ALLOW, Headers, Refused, overloaded, problem
from app.config import get_settings

HEAD_END = b"\r\n\r\n"  # the empty line that ends a request head (RFC 9112 §2.1)
ALLOWED = frozenset({b"GET", b"HEAD", b"OPTIONS"})
PIPELINE_DEPTH = 16  # requests queued behind the one being answered before parsing pauses
LINGER_SECONDS = 2.0  # how long a refused connection drains what the client still sends


class GuardedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with a bounded request head (size and time), no request
    content, and its refusals as problems.

    The size limit is per request head, counted from the first byte after the previous head to
    the CRLF CRLF that ends it. Bytes are counted before the parser sees them: a chunk is fed up
    to the end of the head it holds, then the rest, so an oversized head is refused after
    LIMIT_REQUEST_HEAD bytes, never buffered whole. No content is ever fed to the parser (a
    request that has some is refused at the end of its head), so every byte after a head
    belongs to the next head.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = get_settings()  # read here: worker processes import this class afresh
        self.max_head = settings.limit_request_head
        self.head_timeout = settings.timeout_request_head
        self.root = settings.root_path
        self.head_bytes = 0  # of the current head, so far
        self.head_tail = b""  # its last bytes, for an end of head split across chunks
        self.head_timer: asyncio.TimerHandle | None = None
        self.refusal: tuple[int, Headers, bytes] | None = None  # what to close with, once due
        self.unparsed = b""  # what came while PIPELINE_DEPTH requests waited, parsed later
        self.linger: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self.linger is not None:
            self.linger.cancel()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self.refusal is not None:
            return  # refused: the rest is never parsed (and, once answered, discarded)
        if self.unparsed:  # the queue is full: this waits its turn, and reading stops again
            self.unparsed += data
            self.flow.pause_reading()
            return
        self._unset_keepalive_if_required()
        start = 0
        while start < len(data) and self.refusal is None and not self.transport.is_closing():
            if len(self.pipeline) >= PIPELINE_DEPTH:
                self.unparsed = data[start:]
                self.flow.pause_reading()
                return
            end = self._head_end(data, start)
            stop = len(data) if end < 0 else end
            self.head_bytes += stop - start
            if self.head_bytes > self.max_head:
                self._refuse(431, f"The request head is over {self.max_head} bytes.")
                return
            if end < 0:
                self.head_tail = (self.head_tail + data[max(start, len(data) - 3) :])[-3:]
            self._parse(data if start == 0 and stop == len(data) else data[start:stop])
            if self.head_bytes and self.head_timer is None:  # a head has begun: its clock runs
                self._arm()
            start = stop

    def _head_end(self, data: bytes, start: int) -> int:
        """The offset in data just past the CRLF CRLF that ends the current head, or -1."""
        if self.head_tail:  # the end may begin in the bytes of the previous chunk
            found = (self.head_tail + data[start : start + 3]).find(HEAD_END)
            if found >= 0:
                return start + found + len(HEAD_END) - len(self.head_tail)
        found = data.find(HEAD_END, start)
        return -1 if found < 0 else found + len(HEAD_END)

    def _parse(self, data: bytes) -> None:
        """Feed the parser; what it cannot read is refused with the status that says why."""
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            pass  # no upgrade is offered (serve passes ws="none"): the request was answered as is
        except httptools.HttpParserError as exc:
            if self.refusal is not None:
                return  # a callback refused the request (Refused)
            self.logger.warning("Invalid HTTP request received.")
            if isinstance(exc, httptools.HttpParserInvalidMethodError):
                detail = f"The method is not one this server implements: {ALLOWED_METHODS}."
                self._refuse(501, detail, [ALLOW])
            elif str(exc) == "Invalid HTTP version":  # llhttp's reason (HPE_INVALID_VERSION)
                self._refuse(505, "Use HTTP/1.1 or HTTP/1.0.")
            else:
                reason = "" if isinstance(exc, httptools.HttpParserCallbackError) else f": {exc}"
                self._refuse(400, f"The request could not be read{reason}.")

    def on_headers_complete(self) -> None:
        self._disarm()
        self.head_bytes = 0
        self.head_tail = b""
        method = self.parser.get_method()
        request = (method, self.url)
        if self.parser.get_http_version() not in ("1.0", "1.1"):
            self._refuse(505, "Use HTTP/1.1 or HTTP/1.0.", request=request)
        elif self._has_content() and method in ALLOWED:
            detail = "This read-only API takes no request content."
            self._refuse(413, detail, request=request)
        elif self._has_content():
            self._refuse(405, not_allowed(method.decode("latin-1")), [ALLOW], request=request)
        elif (wrong := self._host_from_target()) is not None:
            self._refuse(400, wrong, request=request)
        if self.refusal is not None:
            raise Refused  # the parser stops here: the content, and what follows, is not read
        super().on_headers_complete()

    def _host_from_target(self) -> str | None:
        """An absolute-form target's authority as the Host (RFC 9112 §3.2.2: the server
        ignores the Host field's value; an HTTP/1.0 request without one gets it). A missing
        Host in HTTP/1.1, or a repeated one, is left for the edge to refuse (RFC 9112 §3.2),
        which checks the authority like any Host. Returns what is wrong with the target (the
        detail of its 400): a scheme other than http and https, or user information, which an
        http URI may not carry (RFC 9110 §4.2.1, §4.2.4)."""
        if not self.url[:1].isalpha():  # origin-form ("/…") and asterisk-form ("*")
            return None
        try:
            target = httptools.parse_url(self.url)
        except httptools.HttpParserInvalidURLError:
            return None  # the edge's 404 for a path it does not serve
        if (target.schema or b"").lower() not in (b"http", b"https"):
            return "The request target is an absolute URI but not an http or https one."
        if target.userinfo:
            return "The request target carries user information, which an http URI may not."
        hosts = [i for i, (name, _) in enumerate(self.headers) if name == b"host"]
        if len(hosts) > 1 or not target.host:
            return None
        host = b"[" + target.host + b"]" if b":" in target.host else target.host
        port = b"" if target.port is None else b":%d" % target.port
        if hosts:
            self.headers[hosts[0]] = (b"host", host + port)
        elif self.parser.get_http_version() == "1.0":
            self.headers.append((b"host", host + port))
        return None

    def _has_content(self) -> bool:
        """Whether the request has content: a Content-Length above 0 or a Transfer-Encoding
        (RFC 9112 §6.1, §6.2; the parser has refused an invalid or conflicting pair)."""
        return any(
            name == b"transfer-encoding" or (name == b"content-length" and value.strip(b"0 \t"))
            for name, value in self.headers
        )

    def _arm(self) -> None:
        self.head_timer = self.loop.call_later(self.head_timeout, self._head_timed_out)

    def _disarm(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _answering(self) -> bool:
        """Whether a request is being answered (or waits its turn behind one that is)."""
        return self.cycle is not None and not self.cycle.response_complete

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if self.refusal is not None or self.transport.is_closing() or self._answering():
            return  # a response is being made: the clock restarts when it is complete
        if self.head_bytes:
            self._refuse(408, f"The request head did not arrive within {self.head_timeout:g} s.")
        else:
            self.transport.close()  # nothing came: close silently, as nginx does

    def on_response_complete(self) -> None:
        super().on_response_complete()  # starts the next queued request, resumes reading
        if self.transport.is_closing():
            return
        if self.unparsed:  # room in the queue: parse what waited (reading stops if it fills)
            waiting, self.unparsed = self.unparsed, b""
            self.data_received(waiting)
        if self.transport.is_closing() or self._answering():
            return
        if self.refusal is not None:
            self._send_refusal()
        elif self.head_bytes:  # the next head began during the response: its clock starts now
            self._unset_keepalive_if_required()
            self._disarm()
            self._arm()

    def _refuse(
        self,
        status: int,
        detail: str,
        extra: Headers | None = None,
        request: tuple[bytes, bytes] = (b"", b""),
    ) -> None:
        """Answer a problem and close; after the responses to earlier pipelined requests, if
        any are still being made (reading stops meanwhile, and nothing more is parsed). The
        request's method and target are given when its head was read whole; else the problem's
        `instance` is empty, as nginx's is for a request line it could not read."""
        method, target = request
        headers, body = problem(status, detail, self._instance(target), extra or [])
        body = b"" if method == b"HEAD" else body  # RFC 9110 §9.3.2
        self.refusal = (status, [*self.server_state.default_headers, *headers], body)
        self._disarm()
        if self._answering():
            self.flow.pause_reading()
            return
        self._send_refusal()

    def _instance(self, target: bytes) -> str:
        """A problem's instance for a request target, as the app writes it (app/api/errors.py)."""
        try:
            path = httptools.parse_url(target).path if target else None
        except httptools.HttpParserInvalidURLError:  # e.g. CONNECT's authority form
            path = None
        return instance_of({"raw_path": path, "root_path": self.root}) if path else ""

    def _send_refusal(self) -> None:
        if self.refusal is None or self.transport.is_closing():
            return
        status, headers, body = self.refusal
        lines = b"".join(name + b": " + value + b"\r\n" for name, value in headers)
        self.transport.write(STATUS_LINE[status] + lines + b"\r\n" + body)
        self._close_lingering()

    def _close_lingering(self) -> None:
        """Close after the answer without destroying it (RFC 9112 §9.6): closing a socket with
        unread bytes in it makes the kernel reset the connection, and a reset discards what
        the client has not read yet. So end our side (FIN after the answer), read and discard
        what still comes, and close when the client does or after LINGER_SECONDS."""
        if not self.transport.can_write_eof():
            self.transport.close()
            return
        self.transport.write_eof()
        self.flow.resume_reading()  # data_received discards it: a refusal is set
        self.linger = self.loop.call_later(LINGER_SECONDS, self.transport.close)

    def _start_asgi_task(self, cycle: Cycle, app: Any) -> None:
        if app is service_unavailable:  # uvicorn's plain 503 beyond LIMIT_CONCURRENCY
            app = overloaded(self._instance(cycle.scope["raw_path"]))
        super()._start_asgi_task(cycle, app)
