"""HTTP caching in one pure-ASGI layer: negotiation, strong ETags, conditional requests,
Cache-Control, Vary, gzip, and a bounded response cache keyed by the negotiated outcome.

A 200 body is a pure function of (code, dataset version, the request's path and query, the
negotiated representation and coding, and the base URL its links are written against): the
data changes only by reseeding, and gzip runs with a fixed mtime. So the strong ETag is a hash
of those, known before the route runs, and a revalidation is answered without running it. The
response cache is keyed by the same outcome, never by raw header text, and bounded in bytes.
"""

import gzip
import hashlib
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.conditional import if_match_passes, if_none_match_fails
from app.api.errors import instance_of, problem_response
from app.api.negotiation import Representation, choose_codings, negotiate, remember
from app.api.response_cache import ResponseCache, Stored
from app.api.urls import base_url, route_path
from app.store.reader import snapshot

UNCACHED_PATHS = frozenset({"/livez", "/readyz"})
VARY_NEGOTIATED = (b"vary", b"Accept, Accept-Encoding")
VARY_CODING = (b"vary", b"Accept-Encoding")
NO_CACHE = (b"cache-control", b"no-cache")
NO_STORE = (b"cache-control", b"no-store")
GZIP_MIN_BYTES = 1024
COMPRESSIBLE = (
    b"application/json",
    b"application/problem+json",
    b"application/x-ndjson",
    b"text/",
    b"application/javascript",
    b"image/svg+xml",
)
DROPPED = frozenset(
    {b"vary", b"cache-control", b"etag", b"content-length", b"content-encoding", b"accept-ranges"}
)
KEPT_ON_304 = frozenset({b"etag", b"cache-control", b"vary", b"link", b"x-total-count"})
FIELDS = (b"accept", b"accept-encoding", b"if-none-match", b"if-match")


def request_fields(scope: Scope) -> dict[bytes, str]:
    """The negotiation and precondition fields, each repeated line joined (RFC 9110 §5.3)."""
    found: dict[bytes, list[str]] = {}
    for name, value in scope["headers"]:
        if name in FIELDS:
            found.setdefault(name, []).append(value.decode("latin-1"))
    return {name: ", ".join(values) for name, values in found.items()}


def format_param(scope: Scope) -> str | None:
    """The `format` query parameter (its last value, as the route reads it)."""
    query: bytes = scope["query_string"]
    if b"format" not in query and b"%" not in query:  # `%66ormat` is `format` too (RFC 3986 §2.1)
        return None
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return next((v for k, v in reversed(pairs) if k == "format"), None)


def normalised_query(scope: Scope) -> str:
    """The query decoded and re-encoded, sorted by name only (repeated values keep order)."""
    query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    query.sort(key=lambda kv: kv[0])
    return urlencode(query)


def _not_acceptable(offers: tuple[str, ...] | None, accept_encoding: str | None) -> str:
    """The 406's detail: which field excluded everything, and what there is (RFC 9110 §15.5.7)."""
    if choose_codings(accept_encoding) == (False, False):
        return (
            "No content coding this resource offers is acceptable (Accept-Encoding); it "
            "offers gzip and identity."
        )
    offered = ", ".join(offers or ())
    return f"No media type this resource offers is acceptable (Accept, format): {offered}."


class CachingMiddleware:
    """Negotiates, validates and replays; sees GET only (the edge turned HEAD into GET)."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        offers: Callable[[Scope], tuple[str, ...] | None],
        version: Callable[[], str | None],
        fingerprint: str,
        max_age: int,
        max_entries: int,
        max_bytes: int = 64 * 1024 * 1024,
    ) -> None:
        self.app = app
        self.offers = offers
        self.version = version
        self.fingerprint = fingerprint
        self.cache_control = (b"cache-control", f"public, max-age={max_age}".encode())
        self.cache = ResponseCache(max_entries, max_bytes)
        self._version_seen: str | None = None

    def etag(self, version: str, scope: Scope, rep: Representation, base: str) -> str:
        """The strong validator of the 200 this request gets in this version of code and data."""
        key = (scope["path"], normalised_query(scope), rep.key, base)
        digest = hashlib.blake2b(repr((self.fingerprint, version, key)).encode(), digest_size=16)
        return f'"{digest.hexdigest()}"'

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if route_path(scope) in UNCACHED_PATHS:  # below the prefix: /facts/readyz too
            await self.app(scope, receive, _with_headers(send, [NO_STORE]))
            return
        fields = request_fields(scope)
        offers = self.offers(scope)
        accept, coding = fields.get(b"accept"), fields.get(b"accept-encoding")
        rep = negotiate(offers, format_param(scope), accept, coding)
        vary = VARY_CODING if offers is None else VARY_NEGOTIATED
        if rep is None:
            detail = _not_acceptable(offers, coding)
            await _send_uncached(send, _problem(scope, 406, detail), vary)
            return
        version = self.version() or "none"
        if version != self._version_seen:
            self.cache.clear()
            self._version_seen = version
        base = base_url(scope)
        key = (path, scope["query_string"], rep.key, base)
        stored = self.cache.get(key)
        etag = stored.etag if stored is not None else self.etag(version, scope, rep, base)
        if_match, if_none_match = fields.get(b"if-match"), fields.get(b"if-none-match")
        # A listed tag can only be ours if the resource exists; `*` needs the route to know.
        listed = if_none_match is not None and if_none_match.strip() != "*"
        revalidated = listed and if_none_match_fails(if_none_match or "", etag)
        if if_match is None and revalidated:
            bare = ((b"etag", etag.encode()), self.cache_control, vary)
            await _send_304(send, stored.headers if stored is not None else bare)
            return
        if stored is None:
            stored = await self._fetch(remember(scope, rep), receive, send, version, rep, vary)
            if stored is None:
                return  # not a 200, or streamed: already sent
            if stored.etag == etag and version == self._version_seen:
                self.cache.put(key, stored)  # of the version now served, not a reseed's neighbour
            etag = stored.etag
        if if_match is not None and not if_match_passes(if_match, etag):
            detail = "If-Match names no current representation of this resource."
            await _send_uncached(send, _problem(scope, 412, detail), vary)
            return
        if if_none_match is not None and if_none_match_fails(if_none_match, etag):
            await _send_304(send, stored.headers)
            return
        await send(stored.start)
        await send(stored.message)

    async def _fetch(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        version: str,
        rep: Representation,
        vary: Any,
    ) -> Stored | None:
        """Run the route; a complete 200 is returned for storing, a streamed 200 is passed on
        (compressed on the fly when negotiated), anything else is sent at once.

        The route's reads share one database snapshot, whose first statement reads the dataset
        version: the ETag is made from that version, so a reseed between the version check above
        and the route's reads can never give one version's ETag to another's body.
        """
        start: Message = {}
        chunks: list[bytes] = []
        streaming: _Stream | None = None
        async with snapshot() as read:

            def etag_now() -> str:
                seen = (read.version or "none") if read.reader else version
                return self.etag(seen, scope, rep, base_url(scope))

            async def collect(message: Message) -> None:
                nonlocal start, streaming
                if message["type"] == "http.response.start":
                    start = message
                    names = {k.lower() for k, _ in message.get("headers", [])}
                    if message["status"] == 200 and b"content-length" not in names:
                        headers = self._headers(message, etag_now(), rep, vary, None)
                        streaming = _Stream(send, headers)
                        await streaming.begin()
                elif streaming is not None:
                    await streaming.body(message)
                elif message["type"] == "http.response.body":
                    chunks.append(message.get("body", b""))

            await self.app(scope, receive, collect)
        if streaming is not None:
            return None
        etag = etag_now()
        body = b"".join(chunks)
        if start.get("status") != 200:
            await _send_uncached(send, (start, body), vary)
            return None
        headers = self._headers(start, etag, rep, vary, body)
        if (b"content-encoding", b"gzip") in headers:
            body = gzip.compress(body, compresslevel=6, mtime=0)
        headers.append((b"content-length", str(len(body)).encode()))
        return Stored(tuple(headers), body, etag)

    def _headers(
        self, start: Message, etag: str, rep: Representation, vary: Any, body: bytes | None
    ) -> list[tuple[bytes, bytes]]:
        """The 200's headers: the route's, then coding, validator, caching and Vary."""
        headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED]
        content_type = next((v for k, v in headers if k.lower() == b"content-type"), b"")
        large = body is None or len(body) >= GZIP_MIN_BYTES
        if content_type.startswith(COMPRESSIBLE) and rep.gzip and (large or not rep.identity):
            headers.append((b"content-encoding", b"gzip"))
        return [*headers, (b"etag", etag.encode()), self.cache_control, vary]


class _Stream:
    """Passes a streamed 200 on, gzip-compressing it on the fly when its headers say so."""

    def __init__(self, send: Send, headers: list[tuple[bytes, bytes]]) -> None:
        self.send = send
        self.headers = headers
        gzipped = (b"content-encoding", b"gzip") in headers
        self.deflate = zlib.compressobj(6, zlib.DEFLATED, 31) if gzipped else None

    async def begin(self) -> None:
        await self.send({"type": "http.response.start", "status": 200, "headers": self.headers})

    async def body(self, message: Message) -> None:
        chunk, more = message.get("body", b""), message.get("more_body", False)
        if self.deflate is not None:
            chunk = self.deflate.compress(chunk) + (b"" if more else self.deflate.flush())
        await self.send({"type": "http.response.body", "body": chunk, "more_body": more})


def _problem(scope: Scope, status: int, detail: str) -> tuple[Message, bytes]:
    response = problem_response(status, detail, instance_of(scope))
    start = {"type": "http.response.start", "status": status, "headers": response.raw_headers}
    return start, bytes(response.body)


async def _send_uncached(send: Send, response: tuple[Message, bytes], vary: Any) -> None:
    """Pass on a response that is not a 200: a problem never stored (no-store), anything else
    (the 308 of a trailing slash) not reused without checking (no-cache)."""
    start, body = response
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() not in DROPPED]
    policy = NO_STORE if start.get("status", 500) >= 400 else NO_CACHE
    headers += [vary, policy, (b"content-length", str(len(body)).encode())]
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
