"""Replaying repeats: the same request gets the same messages, without running any layer, and
nothing else ever does (app/api/replay.py)."""

import asyncio
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.caching import CachingMiddleware
from app.api.replay import MAX_KEY, ReplayMiddleware
from app.config import Settings
from tests.api_helpers import GDP_Q1_Q3, layer, serving

Headers = list[tuple[bytes, bytes]]


class Inner:
    """A stand-in for the layers behind: counts calls, answers by the Accept it was sent."""

    def __init__(self, status: int = 200, etag: bool = True, streamed: bool = False) -> None:
        self.calls = 0
        self.status, self.etag, self.streamed = status, etag, streamed

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        self.calls += 1
        accept = dict(scope["headers"]).get(b"accept", b"-")
        headers = [(b"content-type", accept), (b"cache-control", b"public, max-age=60")]
        if self.etag:
            headers.append((b"etag", b'"e1"'))
        inm = dict(scope["headers"]).get(b"if-none-match")
        status = 304 if inm == b'"e1"' else self.status
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if self.streamed:
            await send({"type": "http.response.body", "body": b"a", "more_body": True})
        await send({"type": "http.response.body", "body": b"" if status == 304 else accept})


def run(
    app: ReplayMiddleware, headers: Headers, method: str = "GET", path: str = "/v1/x"
) -> list[Any]:
    scope = {"type": "http", "method": method, "path": path, "query_string": b"", "root_path": ""}
    scope |= {"scheme": "http", "headers": [(b"host", b"h"), *headers]}
    sent: list[Any] = []

    async def send(message: Any) -> None:
        sent.append(message)

    asyncio.run(app(scope, lambda: None, send))  # type: ignore[arg-type]
    return sent


def replay(inner: Inner, version: str = "v1", entries: int = 100) -> ReplayMiddleware:
    return ReplayMiddleware(inner, version=lambda: version, max_entries=entries)  # type: ignore[arg-type]


def test_a_repeat_is_answered_without_running_the_layers_behind() -> None:
    inner = Inner()
    app = replay(inner)
    first = run(app, [(b"accept", b"text/csv")])
    second = run(app, [(b"accept", b"text/csv")])
    assert inner.calls == 1 and second == first


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ([(b"accept", b"text/csv")], [(b"accept", b"application/json")]),
        ([(b"accept", b"text/csv"), (b"accept", b"application/json")], [(b"accept", b"text/csv")]),
        (
            [(b"accept", b"text/csv"), (b"accept", b"x/y")],
            [(b"accept", b"x/y"), (b"accept", b"text/csv")],
        ),
        ([(b"accept-encoding", b"gzip")], []),
        ([(b"host", b"other")], []),
    ],
)
def test_requests_that_differ_in_what_decides_the_answer_are_never_replayed_for_each_other(
    a: Headers, b: Headers
) -> None:
    inner = Inner()
    app = replay(inner)
    run(app, a)
    run(app, b)
    assert inner.calls == 2


def test_head_and_get_are_remembered_apart() -> None:
    inner = Inner()
    app = replay(inner)
    run(app, [], "GET")
    run(app, [], "HEAD")
    assert inner.calls == 2


@pytest.mark.parametrize(
    "headers",
    [
        [(b"if-match", b'"e1"')],
        [(b"range", b"bytes=0-1")],
        [(b"if-range", b'"e1"')],
        [(b"host", b"a"), (b"host", b"b")],
        [(b"accept", b"x" * (MAX_KEY + 1))],
    ],
)
def test_what_must_go_the_full_way_always_does(headers: Headers) -> None:
    inner = Inner()
    app = replay(inner)
    run(app, headers)
    run(app, headers)
    assert inner.calls == 2


@pytest.mark.parametrize(
    "inner", [Inner(status=404), Inner(etag=False), Inner(streamed=True)], ids=str
)
def test_only_a_complete_200_with_an_etag_is_remembered(inner: Inner) -> None:
    app = replay(inner)
    run(app, [])
    run(app, [])
    assert inner.calls == 2


def test_a_matching_if_none_match_gets_the_304_recorded_for_it() -> None:
    inner = Inner()
    app = replay(inner)
    run(app, [])
    assert run(app, [(b"if-none-match", b'"e1"')])[0]["status"] == 304  # full way, recorded
    calls = inner.calls
    # Every form that names our tag (RFC 9110 §13.1.2, weak comparison) is replayed: the one tag,
    # its weak form (no parsing), and lists, spacing, `*` and repeated lines (parsed).
    for field in [b'"e1"', b'W/"e1"', b'"x", "e1"', b' W/"e1" ', b"*", b'"x",W/"e1"']:
        again = run(app, [(b"if-none-match", field)])
        assert again[0]["status"] == 304 and inner.calls == calls, field
        assert again[1] == {"type": "http.response.body", "body": b""}
    repeated = run(app, [(b"if-none-match", b'"x"'), (b"if-none-match", b'"e1"')])
    assert repeated[0]["status"] == 304 and inner.calls == calls
    # ...and none that does not: these go the full way (and get the 200 here).
    for field in [b'"other"', b'"e1', b'"E1"', b'w/"e1"', b'W/"e1"x', b'""']:
        assert run(app, [(b"if-none-match", field)])[0]["status"] == 200, field


def test_a_new_dataset_version_forgets_everything() -> None:
    inner = Inner()
    version = ["v1"]
    app = ReplayMiddleware(inner, version=lambda: version[0], max_entries=100)  # type: ignore[arg-type]
    run(app, [])
    version[0] = "v2"
    run(app, [])
    run(app, [])
    assert inner.calls == 2 and len(app.entries) == 1


def test_entries_are_bounded_in_number_and_bytes() -> None:
    app = replay(Inner(), entries=3)
    for n in range(10):
        run(app, [(b"accept", f"type/{n}".encode())])
    assert len(app.entries) == 3
    assert app.size == sum(e.size for e in app.entries.values())
    assert replay(Inner(), entries=0).entries == {}


def test_the_app_replays_what_it_answered(api_settings: Settings) -> None:
    with serving(api_settings) as client:
        first = client.get(f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept-Encoding": "gzip"})
        replayed = layer(client, ReplayMiddleware)
        assert len(replayed.entries) == 1
        again = client.get(f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept-Encoding": "gzip"})
        assert again.content == first.content and again.headers == first.headers
        as_csv = client.get(f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept": "text/csv"})
        assert as_csv.headers["content-type"].startswith("text/csv")


def test_without_the_cache_nothing_is_replayed(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"response_cache_size": 0})
    with serving(settings) as client:
        client.get("/v1/metrics?limit=2")
        assert len(layer(client, ReplayMiddleware).entries) == 0
        assert isinstance(client, TestClient)


def test_both_caches_hold_to_response_cache_bytes(api_settings: Settings) -> None:
    """RESPONSE_CACHE_BYTES bounds the replayed repeats and the stored responses alike, however
    many distinct requests come (here 120 pages of 20 metrics, about 40 KB each)."""
    bound = 200_000
    settings = api_settings.model_copy(update={"response_cache_bytes": bound})
    with serving(settings) as client:
        for offset in range(0, 60):
            for coding in ("gzip", "identity"):
                response = client.get(
                    f"/v1/metrics?limit=20&offset={offset}", headers={"Accept-Encoding": coding}
                )
                assert response.status_code == 200
        replayed = layer(client, ReplayMiddleware)
        stored = layer(client, CachingMiddleware).cache
        assert replayed.max_bytes == stored.max_bytes == bound
        assert 0 < replayed.size <= bound and 0 < stored.size <= bound
        assert len(replayed.entries) < 120  # some were let go
