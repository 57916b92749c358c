"""HTTP caching in one pure-ASGI layer: strong ETags, 304s, Cache-Control, Vary, gzip, and a
bounded response cache keyed by normalised request and dataset version.

A 200 body is a pure function of (code, dataset version, normalised request): the data changes
only by reseeding, and gzip runs with a fixed mtime. So the strong ETag is a hash of that key,
known before the route runs, and a revalidation is answered without running it at all.
"""

import gzip
import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.negotiation import Format, decide, remember
from app.store.reader import snapshot

UNCACHED_PATHS = frozenset({"/livez", "/readyz"})
VARY = (b"vary", b"Accept, Accept-Encoding")
NO_CACHE = (b"cache-control", b"no-cache")
NO_STORE = (b"cache-control", b"no-store")
GZIP_MIN_BYTES = 1024
COMPRESSIBLE = (
    b"application/json",
    b"application/problem+json",
    b"text/",
    b"application/javascript",
)
DROPPED = frozenset(
    {b"vary", b"cache-control", b"etag", b"content-length", b"content-encoding", b"last-modified"}
)
KEPT_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"link", b"x-total-count"})

Key = tuple[str, str, str, bool]
RawKey = tuple[str, bytes, bytes | None, bytes]  # path, query, Accept, Accept-Encoding


@dataclass(frozen=True)
class Stored:
    """A complete 200 response, ready to replay: its two ASGI messages are built once."""

    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: str
    start: dict[str, Any] = field(init=False, repr=False, compare=False)
    message: dict[str, Any] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        start = {"type": "http.response.start", "status": 200, "headers": self.headers}
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "message", {"type": "http.response.body", "body": self.body})


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match (`*` is handled apart)."""
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


class ResponseCache:
    """A bounded LRU of responses, by entries and by bytes."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[RawKey, Stored] = OrderedDict()

    def get(self, key: RawKey) -> Stored | None:
        """The stored response, marked as recently used."""
        item = self._data.get(key)
        if item is not None:
            self._data.move_to_end(key)
        return item

    def put(self, key: RawKey, item: Stored) -> None:
        """Store, evicting the least recently used beyond the bounds."""
        if self.max_entries <= 0 or len(item.body) > self.max_bytes // 4:
            return
        old = self._data.pop(key, None)
        if old is not None:
            self.size -= len(old.body)
        self._data[key] = item
        self.size += len(item.body)
        while len(self._data) > self.max_entries or self.size > self.max_bytes:
            _, evicted = self._data.popitem(last=False)
            self.size -= len(evicted.body)

    def clear(self) -> None:
        """Drop everything."""
        self._data.clear()
        self.size = 0


def request_key(scope: Scope, fmt: Format | None, accept_encoding: str) -> Key:
    """Path, normalised query, negotiated format and gzip acceptance.

    The query is decoded and re-encoded, and sorted by name only: the order of repeated values
    of one name is kept, because it can change the answer.
    """
    query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    query.sort(key=lambda kv: kv[0])
    return (scope["path"], urlencode(query), fmt or "invalid", "gzip" in accept_encoding)


class CachingMiddleware:
    """Strong ETags and 304s for every 200; replays cached responses of the same version.

    It sees GET only: the edge outside it has turned HEAD into GET and answers OPTIONS.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: Callable[[], str | None],
        fingerprint: str,
        max_age: int,
        max_entries: int,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.version = version
        self.fingerprint = fingerprint
        self.cache_control = (b"cache-control", f"public, max-age={max_age}".encode())
        self.cache = ResponseCache(max_entries, max_bytes)
        self._version_seen: str | None = None

    def etag(self, version: str, key: Key) -> str:
        """The strong validator of the 200 that key gives in this version of code and data."""
        digest = hashlib.blake2b(
            repr((self.fingerprint, version, key)).encode(), digest_size=16
        ).hexdigest()
        return f'"{digest}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in UNCACHED_PATHS:
            await self.app(scope, receive, _with_headers(send, [NO_STORE]))
            return
        accept = if_none_match = None
        accept_encoding = b""
        for name, value in scope["headers"]:
            if name == b"accept":
                accept = value
            elif name == b"accept-encoding":
                accept_encoding = value
            elif name == b"if-none-match":
                if_none_match = value.decode("latin-1")
        version = self.version() or "none"
        if version != self._version_seen:
            self.cache.clear()
            self._version_seen = version
        # The raw request is the cache key: a hit costs one dict lookup. Negotiating (and the
        # ETag that depends on it) is only worked out on a miss, once: the route reuses it.
        raw = (path, scope["query_string"], accept, accept_encoding)
        stored = self.cache.get(raw)
        if stored is not None:
            etag = stored.etag
        else:
            fmt = decide(scope, accept)
            key = request_key(scope, fmt, accept_encoding.decode("latin-1"))
            etag = self.etag(version, key)
        inm_tags = if_none_match is not None and if_none_match.strip() != "*"
        if inm_tags and etag_matches(if_none_match or "", etag):
            await _send_304(
                send,
                stored.headers if stored else ((b"etag", etag.encode()), self.cache_control, VARY),
            )
            return
        if stored is None:
            stored = await self._fetch(remember(scope, fmt), receive, send, key, version)
            if stored is None:
                return  # not a 200: already sent as it was, with no-cache
            if stored.etag == etag and version == self._version_seen:
                self.cache.put(raw, stored)  # of the version now served, not a reseed's neighbour
        if if_none_match is not None and not inm_tags:  # "*" matches any current 200
            await _send_304(send, stored.headers)
            return
        await send(stored.start)
        await send(stored.message)

    async def _fetch(
        self, scope: Scope, receive: Receive, send: Send, key: Key, version: str
    ) -> Stored | None:
        """Run the route; a 200 is returned for storing, anything else is sent at once.

        The route's reads share one database snapshot, whose first statement reads the dataset
        version: the ETag is made from that version, so a reseed between the version check above
        and the route's reads can never give one version's ETag to another's body.
        """
        start: Message = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        async with snapshot() as read:
            await self.app(scope, receive, collect)
        etag = self.etag(read.version or "none", key) if read.reader else self.etag(version, key)
        body = b"".join(chunks)
        if start.get("status") != 200:
            await _send_uncached(send, start, body)
            return None
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED]
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        if key[3] and len(body) >= GZIP_MIN_BYTES and content_type.startswith(COMPRESSIBLE):
            body = gzip.compress(body, compresslevel=6, mtime=0)
            headers.append((b"content-encoding", b"gzip"))
        headers += [
            (b"etag", etag.encode()),
            self.cache_control,
            VARY,
            (b"content-length", str(len(body)).encode()),
        ]
        return Stored(tuple(headers), body, etag)


async def _send_uncached(send: Send, start: Message, body: bytes) -> None:
    """Pass on a response that is not a 200, marked as not to be reused without checking."""
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED]
    headers += [VARY, NO_CACHE, (b"content-length", str(len(body)).encode())]
    await send({**start, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _send_304(send: Send, headers: tuple[tuple[bytes, bytes], ...]) -> None:
    kept = [(k, v) for k, v in headers if k in KEPT_ON_304]
    await send({"type": "http.response.start", "status": 304, "headers": kept})
    await send({"type": "http.response.body", "body": b""})


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    names = {k for k, _ in extra}

    async def wrapper(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
            message = {**message, "headers": headers + extra}
        await send(message)

    return wrapper


def code_fingerprint(package: Path, *parts: str) -> str:
    """Identifies the code that shapes responses (every file of the package, not only this
    layer's folder), so a deployment never reuses old ETags."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part.encode())
    for path in sorted(p for p in package.rglob("*") if p.is_file()):
        if "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        h.update(path.relative_to(package).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()
