"""HTTP caching in one pure-ASGI layer: strong ETags, 304s, Cache-Control, Vary, and a bounded
response cache keyed by normalised request and dataset version."""

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.negotiation import negotiate

UNCACHED_PATHS = frozenset({"/livez", "/readyz"})
VARY = b"Accept, Accept-Encoding"


@dataclass(frozen=True)
class Stored:
    """A complete response, ready to replay."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes
    etag: bytes


def strong_etag(body: bytes) -> bytes:
    """A strong validator: the hash of the exact bytes sent."""
    return b'"' + hashlib.blake2b(body, digest_size=16).hexdigest().encode() + b'"'


def etag_matches(if_none_match: str, etag: bytes) -> bool:
    """Weak comparison, as RFC 9110 prescribes for If-None-Match."""
    value = etag.decode()
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or candidate.removeprefix("W/") == value:
            return True
    return False


class ResponseCache:
    """A bounded LRU of responses (by entries and bytes)."""

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max_entries
        self.max_bytes = max_bytes
        self.size = 0
        self._data: OrderedDict[tuple[str, ...], Stored] = OrderedDict()

    def __len__(self) -> int:
        return len(self._data)

    def get(self, key: tuple[str, ...]) -> Stored | None:
        """The stored response, marked as recently used."""
        item = self._data.get(key)
        if item is not None:
            self._data.move_to_end(key)
        return item

    def put(self, key: tuple[str, ...], item: Stored) -> None:
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


def cache_key(scope: Scope, headers: Headers, version: str) -> tuple[str, ...]:
    """Path, sorted query, negotiated format, gzip acceptance and dataset version."""
    query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
    fmt_param = next((v for k, v in query if k == "format"), None)
    try:
        fmt = negotiate(fmt_param, headers.get("accept")).value
    except ValueError:
        fmt = "invalid"
    gzip = "gzip" if "gzip" in headers.get("accept-encoding", "") else ""
    return (version, scope["path"], urlencode(sorted(query)), fmt, gzip)


class CachingMiddleware:
    """ETag and 304 for every 200; replays cached responses of the same dataset version."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        version: Callable[[], str | None],
        max_age: int,
        max_entries: int,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.version = version
        self.cache_control = f"public, max-age={max_age}".encode()
        self.cache = ResponseCache(max_entries, max_bytes)
        self._version_seen: str | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] in UNCACHED_PATHS:
            if scope["type"] == "http" and scope["path"] in UNCACHED_PATHS:
                await self.app(scope, receive, _no_store(send))
                return
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        version = self.version() or "none"
        if version != self._version_seen:
            self.cache.clear()
            self._version_seen = version
        key = cache_key(scope, headers, version)
        stored = self.cache.get(key)
        if stored is None:
            stored = await self._fetch(scope, receive)
            if stored.status == 200:
                self.cache.put(key, stored)
        await self._replay(stored, headers.get("if-none-match"), send)

    async def _fetch(self, scope: Scope, receive: Receive) -> Stored:
        status = 500
        raw_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            nonlocal status, raw_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                raw_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        body = b"".join(chunks)
        etag = strong_etag(body) if status == 200 else b""
        out = [
            (k, v) for k, v in raw_headers if k.lower() not in {b"vary", b"cache-control", b"etag"}
        ]
        out.append((b"vary", VARY))
        if status == 200:
            out.append((b"etag", etag))
            out.append((b"cache-control", self.cache_control))
        else:
            out.append((b"cache-control", b"no-cache"))
        return Stored(status, tuple(out), body, etag)

    async def _replay(self, stored: Stored, if_none_match: str | None, send: Send) -> None:
        if stored.status == 200 and if_none_match and etag_matches(if_none_match, stored.etag):
            keep = {b"etag", b"cache-control", b"vary", b"link", b"x-total-count"}
            headers = [(k, v) for k, v in stored.headers if k.lower() in keep]
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": stored.status,
                "headers": list(stored.headers),
            }
        )
        await send({"type": "http.response.body", "body": stored.body})


def _no_store(send: Send) -> Send:
    async def wrapper(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = [(k, v) for k, v in message.get("headers", []) if k != b"cache-control"]
            headers.append((b"cache-control", b"no-store"))
            message = {**message, "headers": headers}
        await send(message)

    return wrapper
