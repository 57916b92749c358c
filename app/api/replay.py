"""Repeats answered with the very messages the client got the last time: the fastest path.

A request is a repeat when its method, path, query, path prefix, scheme, Host, and its Accept
and Accept-Encoding lines (each joined in order, RFC 9110 §5.3) equal those of an earlier
request whose answer was a complete 200 with an ETag. That answer was decided by negotiation
(app/api/caching.py) from exactly these fields, so it is the answer again as long as the
dataset version has not changed; this layer only remembers which stored answer a request got.
It sits outside the edge, so it replays the final messages, CORS and all, without running a
layer. Requests with If-Match or Range, with fields over MAX_KEY bytes, or with a status other
than 200 always go the full way; If-None-Match naming the stored ETag is answered with the 304
recorded for it. Entries are bounded in number and in bytes (bodies and keys counted).
"""

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.conditional import if_none_match_fails

MAX_KEY = 512  # bytes of the fields a key is made of; longer requests are not remembered
FULL_WAY = frozenset({b"if-match", b"range", b"if-range"})
Key = tuple[Any, ...]
NO_BODY: Message = {"type": "http.response.body", "body": b""}


@dataclass
class Entry:
    """The messages of one answer, and its 304 once seen."""

    start: Message
    body: Message
    etag: str
    etag_field: bytes  # the ETag as sent, to compare If-None-Match with as it comes
    size: int
    not_modified: Message | None = field(default=None)


class ReplayMiddleware:
    """Remembers complete 200s by request and replays them while the version holds."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: Callable[[], str | None],
        max_entries: int,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.version = version
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self.entries: OrderedDict[Key, Entry] = OrderedDict()
        self._version_seen: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        method = scope.get("method")
        if scope["type"] != "http" or (method != "GET" and method != "HEAD"):
            await self.app(scope, receive, send)
            return
        accept = coding = host = inm = None
        hosts = 0
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value if accept is None else accept + b", " + value
            elif name == b"accept-encoding":
                coding = value if coding is None else coding + b", " + value
            elif name == b"host":
                host, hosts = value, hosts + 1
            elif name == b"if-none-match":
                inm = value if inm is None else inm + b", " + value
            elif name in FULL_WAY:
                await self.app(scope, receive, send)
                return
        if self.max_entries <= 0 or hosts != 1:  # two Hosts: never remembered (the edge's 400)
            await self.app(scope, receive, send)
            return
        path, query = scope["path"], scope["query_string"]
        key: Key = (
            method,
            path,
            query,
            scope.get("root_path", ""),
            scope.get("scheme"),
            host,
            accept,
            coding,
        )
        version = self.version()
        if version != self._version_seen:  # a reseed: nothing remembered is an answer now
            self.entries.clear()
            self.size = 0
            self._version_seen = version
        entry = self.entries.get(key)
        if entry is not None:
            if inm is None:
                self.entries.move_to_end(key)
                await send(entry.start)
                await send(entry.body)
                return
            # The usual revalidation names our one tag (or its weak form): no parsing for it.
            if entry.not_modified is not None and (
                inm == entry.etag_field
                or inm == b"W/" + entry.etag_field
                or if_none_match_fails(inm.decode("latin-1"), entry.etag)
            ):
                await send(entry.not_modified)
                await send(NO_BODY)
                return
        size = len(path) + len(query) + len(accept or b"") + len(coding or b"") + len(host or b"")
        if size > MAX_KEY:  # not remembered: a long key could crowd out many short ones
            await self.app(scope, receive, send)
            return
        await self._record(scope, receive, send, key, version, size, inm is not None)

    async def _record(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        key: Key,
        version: str | None,
        key_size: int,
        conditional: bool,
    ) -> None:
        """Run the request the full way, and remember its answer when it can be replayed."""
        start: Message = {}
        body: Message | None = None
        parts = 0

        async def sender(message: Message) -> None:
            nonlocal start, body, parts
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                parts += 1
                body = message
            await send(message)

        await self.app(scope, receive, sender)
        if parts != 1 or body is None or body.get("more_body"):
            return  # streamed: not remembered
        headers = dict(start.get("headers", ()))
        etag = headers.get(b"etag")
        if etag is None or b"no-store" in headers.get(b"cache-control", b""):
            return
        status = start.get("status")
        if status == 200 and not conditional:
            cost = (
                len(body.get("body", b""))
                + key_size
                + sum(len(k) + len(v) for k, v in headers.items())
            )
            if version == self._version_seen:  # not a reseed's neighbour
                self._put(key, Entry(start, body, etag.decode("latin-1"), etag, cost))
        elif status == 304 and key in self.entries:
            self.entries[key].not_modified = start

    def _put(self, key: Key, entry: Entry) -> None:
        if entry.size > self.max_bytes // 4:
            return
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old.size
        self.entries[key] = entry
        self.size += entry.size
        while len(self.entries) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self.entries.popitem(last=False)
            self.size -= evicted.size
