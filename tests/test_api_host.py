"""The Host field (RFC 9112 §3.2, RFC 3986 §3.2.2): checked at the edge before any URL is
written from it; a bad one is a 400 problem on every route, never reflected."""

import socket
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.api.host import host_problem, valid_host
from app.config import Settings
from app.main import create_app
from tests.api_helpers import GDP_Q1_Q3, PROBLEM_JSON, assert_problem

VALID = [
    b"api.example",
    b"API.Example:8443",
    b"api.example:",  # port = *DIGIT
    b"127.0.0.1:8000",
    b"a:65535",
    b"localhost",
    b"xn--fiq228c.example",
    b"a%C3%A9.example",  # pct-encoded
    b"a'+b(c)*d,e;f=g&h!$",  # sub-delims are reg-name characters
    b"[::1]",
    b"[::1]:8000",
    b"[2001:db8::7]",
    b"[::ffff:192.0.2.1]",
    b"[v1.fe80::a+en1]",  # IPvFuture
]
INVALID = [
    b"",  # an http(s) target has a host (RFC 9110 §4.2.1): no URL can be written from none
    b":",
    b":80",
    b"a:65536",  # beyond 16 bits
    b"a:99999999999999999999",
    b'a"+alert(document.domain)+"',  # the reported one
    b"a b",
    b"evil.com/x?y#",
    b'ev"il.com',
    b"ev<il>.com",
    b"evil.com\\x",
    b"evil.com@other",
    b"a:b",  # a port is digits
    b"a:80:80",
    b"a%2",  # half a percent-encoding
    b"a%zz",
    b"\xc3\xa9.example",  # non-ASCII
    b"[::1",
    b"::1",  # an IPv6 address needs brackets
    b"[1.2.3.4]",
    b"[fe80::1%25eth0]",  # zone ids are RFC 6874, not RFC 3986
    b"[fe80::1%eth0]",
    b"[::1]x",
    b"[v1.]",
    b"a\tb",
]


@pytest.mark.parametrize("value", VALID, ids=repr)
def test_a_host_and_optional_port_is_valid(value: bytes) -> None:
    assert valid_host(value)


@pytest.mark.parametrize("value", INVALID, ids=repr)
def test_anything_else_is_invalid(value: bytes) -> None:
    assert not valid_host(value)


@pytest.mark.parametrize(
    ("hosts", "version", "wrong"),
    [
        ([b"a"], "1.1", None),
        ([], "1.1", "needs a Host"),
        ([], "1.0", None),
        ([], "2", None),  # HTTP/2 names the authority in :authority
        ([b"a", b"a"], "1.1", "not several"),
        ([b"a", b"b"], "1.0", "not several"),
        ([b"a b"], "1.1", "not a host name"),
    ],
)
def test_the_host_rule(hosts: list[bytes], version: str, wrong: str | None) -> None:
    found = host_problem(hosts, version)
    assert found is None if wrong is None else wrong in (found or "")


# --- through the app ----------------------------------------------------------------------

ROUTES = [
    "/v1/metrics?limit=1",
    f"/v1/metrics/{GDP_Q1_Q3}",
    "/v1",
    "/v1/search?q=GDP",
    "/v1/datapackage.json",
    f"/oembed?url=http://x/embed/metrics/{GDP_Q1_Q3}",
    f"/embed/metrics/{GDP_Q1_Q3}",
    "/embed/indicators/gdp/chart",
    "/",
    "/docs",
    "/livez",
    "/nope",
]


@pytest.mark.parametrize("url", ROUTES)
@pytest.mark.parametrize("host", [h.decode("latin-1") for h in INVALID[:13]])
def test_a_bad_host_is_a_400_problem_on_every_route_and_never_reflected(
    client: TestClient, url: str, host: str
) -> None:
    response = client.get(url, headers={"Host": host})
    assert_problem(response, 400, url.split("?")[0])
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert len(host) < 4 or host not in response.text  # (":" is in any JSON)


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS", "POST"])
def test_a_bad_host_is_refused_whatever_the_method(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/metrics", headers={"Host": "a b"})
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM_JSON


def test_a_good_host_answered_before_does_not_let_a_bad_one_be_replayed(
    client: TestClient,
) -> None:
    url = "/v1/metrics?limit=2&host-replay=1"
    assert client.get(url, headers={"Host": "api.example"}).status_code == 200
    assert client.get(url, headers={"Host": "api.example"}).status_code == 200  # a replay
    assert client.get(url, headers={"Host": "api.example/x"}).status_code == 400


def test_a_valid_host_with_sub_delims_stays_data_in_the_oembed_script(client: TestClient) -> None:
    host = "a'+alert(1)+'"  # RFC 3986 allows ' + ( ) in a reg-name: so the snippet escapes
    response = client.get(
        "/oembed",
        params={"url": f"http://{host}/embed/metrics/{GDP_Q1_Q3}"},
        headers={"Host": host},
    )
    assert response.status_code == 200
    assert f'e.origin!=="http://{host}"||' in response.json()["html"]


def _asgi_call(app: Any, headers: list[tuple[bytes, bytes]], version: str) -> tuple[int, bytes]:
    """One GET straight into the ASGI app with exactly these header lines."""
    import asyncio

    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": version,
        "method": "GET",
        "scheme": "http",
        "path": "/livez",
        "raw_path": b"/livez",
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "server": ("127.0.0.1", 8000),
        "client": ("127.0.0.1", 5000),
    }
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], body


@pytest.mark.parametrize(
    ("headers", "version", "status"),
    [
        ([], "1.1", 400),
        ([(b"host", b"a"), (b"host", b"a")], "1.1", 400),
        ([(b"host", b"a"), (b"host", b"b")], "1.0", 400),
        ([(b"host", b"a b")], "1.0", 400),
        ([(b"host", b"a")], "1.1", 200),
        ([], "1.0", 200),
    ],
)
def test_any_asgi_server_gets_the_host_rule(
    api_settings: Settings, headers: list[tuple[bytes, bytes]], version: str, status: int
) -> None:
    with TestClient(create_app(api_settings)) as running:  # the lifespan opens the dataset
        found, body = _asgi_call(running.app, headers, version)
    assert found == status
    if status == 400:
        assert orjson.loads(body)["type"] == "urn:zhuzhou-facts:problem:bad-request"


def _raw(base: str, request: bytes) -> bytes:
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as s:
        s.sendall(request)
        chunks = []
        while chunk := s.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


@pytest.mark.parametrize(
    "host_lines",
    [
        b'Host: a"+alert(document.domain)+"\r\n',
        b"Host: a b\r\n",
        b"Host: evil.com/x?y#\r\n",
        b'Host: ev"il.com\r\n',
        b"",
        b"Host: a\r\nHost: b\r\n",
    ],
    ids=["script", "space", "path", "quote", "missing", "two"],
)
def test_plain_uvicorn_answers_a_bad_host_with_a_400_problem(
    live_url: str, host_lines: bytes
) -> None:
    target = b"/oembed?url=http%3A%2F%2Fa%22%2Balert(document.domain)%2B%22%2Fembed%2Fmetrics%2F"
    request = b"GET " + target + GDP_Q1_Q3.encode() + b" HTTP/1.1\r\n" + host_lines
    response = _raw(live_url, request + b"Connection: close\r\n\r\n")
    head, _, body = response.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), head
    assert b"content-type: application/problem+json" in head
    assert b"access-control-allow-origin: *" in head
    assert b"alert" not in body
