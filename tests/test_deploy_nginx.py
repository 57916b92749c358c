"""deploy/nginx in front of real uvicorn workers: the limits the Python server leaves to it, the
forwarded headers, and a cache that follows the API's Cache-Control, ETag and Vary."""

import json
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from app.api.errors import problem_type
from app.config import Settings
from tests.api_helpers import PROBLEM_JSON
from tests.conftest import require_service
from tests.live import NGINX, SITE_TEMPLATE, Live, free_port, proxying, serving
from tests.raw_http import assert_problem, exchange, head, parsed, status


@pytest.fixture(scope="module", autouse=True)
def nginx_installed() -> None:
    if not Path(NGINX).exists():
        require_service("no nginx: install Debian's nginx-light")


@pytest.fixture(scope="module")
def stack(
    tmp_path_factory: pytest.TempPathFactory, api_settings: Settings
) -> Iterator[tuple[Live, Live]]:
    """`zhuzhou-facts serve` with two workers, and nginx in front of it."""
    tmp = tmp_path_factory.mktemp("nginx-api")
    with (
        serving(tmp, DATABASE_URL=api_settings.database_url, AUTO_SEED="false", WORKERS="2") as app,
        proxying(tmp, app.port) as proxy,
    ):
        yield app, proxy


@pytest.fixture(scope="module")
def api(stack: tuple[Live, Live]) -> Live:
    """nginx in front of the API."""
    return stack[1]


class Echo(BaseHTTPRequestHandler):
    """Answers with the request's headers as JSON, cacheable for a minute."""

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "headers": dict(self.headers.items())}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "public, max-age=60")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def echo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """nginx in front of a server that echoes what nginx sent it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Echo)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with proxying(tmp_path_factory.mktemp("nginx-echo"), server.server_address[1]) as proxy:
            yield proxy
    finally:
        server.shutdown()
        server.server_close()


def sent_upstream(proxy: Live, path: str, **headers: str) -> dict[str, str]:
    response = httpx.get(proxy.base + path, headers=headers)
    assert response.status_code == 200
    seen: dict[str, str] = response.json()["headers"]
    return {k.lower(): v for k, v in seen.items()}


def test_the_api_answers_through_nginx_with_its_own_validators(stack: tuple[Live, Live]) -> None:
    app, api = stack
    # The proxy passes the Host the client used; the ETag covers the base URL links use.
    host = {"Host": f"127.0.0.1:{api.port}"}
    direct = httpx.get(app.base + "/v1/metrics/gdp-2021-q1-q3", headers=host)
    first = httpx.get(api.base + "/v1/metrics/gdp-2021-q1-q3")
    second = httpx.get(api.base + "/v1/metrics/gdp-2021-q1-q3")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content == direct.content
    assert first.headers["etag"] == second.headers["etag"] == direct.headers["etag"]
    assert first.headers["cache-control"] == direct.headers["cache-control"]
    assert (first.headers["x-cache-status"], second.headers["x-cache-status"]) == ("MISS", "HIT")
    again = httpx.get(
        api.base + "/v1/metrics/gdp-2021-q1-q3", headers={"If-None-Match": first.headers["etag"]}
    )
    assert again.status_code == 304
    assert again.content == b""


def test_the_cache_keeps_one_variant_per_vary(api: Live) -> None:
    url = api.base + "/v1/metrics?limit=2&offset=7"
    as_csv = httpx.get(url, headers={"Accept": "text/csv"})
    as_json = httpx.get(url, headers={"Accept": "application/json"})
    csv_again = httpx.get(url, headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_json.headers["content-type"].startswith("application/json")
    assert csv_again.content == as_csv.content
    assert csv_again.headers["x-cache-status"] == "HIT"
    plain = httpx.get(url, headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert plain.json()["limit"] == 2


ORIGIN = "https://dashboard.example"


@pytest.mark.parametrize(
    "path", ["/v1/metrics/gdp-2021-q1-q3?cors=1", "/v1/metrics?limit=4&cors=1", "/v1?cors=1"]
)
def test_a_cross_origin_request_after_a_plain_one_gets_cors_from_the_cache(
    api: Live, path: str
) -> None:
    # The plain request fills the shared cache; the browser's request is answered from it.
    plain = httpx.get(api.base + path)
    browser = httpx.get(api.base + path, headers={"Origin": ORIGIN, "Sec-Fetch-Mode": "cors"})
    assert plain.headers["x-cache-status"] in ("MISS", "EXPIRED")
    assert browser.headers["x-cache-status"] == "HIT"
    assert browser.headers["access-control-allow-origin"] == "*"
    assert "etag" in browser.headers["access-control-expose-headers"].lower()
    assert browser.content == plain.content


def test_json_and_csv_of_one_url_are_cached_apart_through_nginx(api: Live) -> None:
    url = api.base + "/v1/entities?type=person&limit=77"
    answers = {}
    for accept in ("text/csv", "application/json", "text/csv", "application/json"):
        response = httpx.get(url, headers={"Accept": accept})
        answers.setdefault(accept, []).append(response)
    for accept, (first, second) in answers.items():
        assert first.headers["content-type"].split(";")[0] == accept
        assert second.content == first.content and second.headers["x-cache-status"] == "HIT"
    assert answers["text/csv"][0].headers["etag"] != answers["application/json"][0].headers["etag"]
    # The reported poisoning: two Accept lines, then plain JSON, never a CSV body for JSON.
    both = httpx.get(url, headers=[("Accept", "text/csv"), ("Accept", "application/json")])
    as_json = httpx.get(url, headers={"Accept": "application/json"})
    assert both.json()["limit"] == as_json.json()["limit"] == 77


def test_revalidations_pass_through_nginx_as_304s(api: Live) -> None:
    for accept in ("application/json", "text/csv"):
        url = api.base + "/v1/metrics?limit=5&offset=3&reval=1"
        first = httpx.get(url, headers={"Accept": accept})
        again = httpx.get(url, headers={"Accept": accept, "If-None-Match": first.headers["etag"]})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == first.headers["etag"]
        assert again.headers["access-control-allow-origin"] == "*"
        stale = httpx.get(url, headers={"Accept": accept, "If-None-Match": '"nope"'})
        assert stale.status_code == 200 and stale.content == first.content


def test_errors_pass_through_as_problems_and_are_not_cached(api: Live) -> None:
    for _ in range(2):
        response = httpx.get(api.base + "/v1/metrics/no-such-metric")
        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.headers["x-cache-status"] != "HIT"


def test_nginx_passes_the_clients_host_with_its_port_and_its_own_scheme_and_address(
    echo: Live,
) -> None:
    seen = sent_upstream(
        echo, "/forwarded", **{"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    )
    assert seen["host"] == f"127.0.0.1:{echo.port}"
    assert seen["x-forwarded-proto"] == "http"  # the client's claim is replaced
    assert seen["x-forwarded-for"] == "127.0.0.1"  # the address nginx saw, nothing appended


def test_an_absolute_request_target_wins_over_a_contradicting_host(echo: Live) -> None:
    request = (
        b"GET http://good.example/absolute HTTP/1.1\r\nHost: evil.example\r\n"
        b"Connection: close\r\n\r\n"
    )
    response = exchange(echo, request)
    assert status(response) == 200
    body = json.loads(response.split(b"\r\n\r\n", 1)[1])
    assert body["headers"]["Host"] == "good.example"


def test_an_http10_request_without_host_reaches_the_api_with_the_address_it_came_in_on(
    echo: Live, api: Live
) -> None:
    # RFC 9112 §3.2 asks a Host only of HTTP/1.1, and nginx speaks HTTP/1.1 upstream.
    response = exchange(echo, b"GET /no-host HTTP/1.0\r\n\r\n")
    assert status(response) == 200
    sent = json.loads(response.split(b"\r\n\r\n", 1)[1])["headers"]
    assert sent["Host"] == f"127.0.0.1:{echo.port}"
    response = exchange(api, b"GET /v1/metrics?limit=1 HTTP/1.0\r\n\r\n")
    assert status(response) == 200  # not the API's 400 for an HTTP/1.1 request without Host
    assert f"<http://127.0.0.1:{api.port}/v1/metrics?".encode() in response  # its Link


def largest_head_nginx_takes(over: int = 0) -> bytes:
    """A request head that fills every large header buffer of the template (the request line
    and Host fit the small one; each buffer holds one header line, the last one also the end),
    with `over` bytes more in the last."""
    template = SITE_TEMPLATE.read_text(encoding="utf-8")
    found = re.search(r"^\s*large_client_header_buffers (\d+) (\d+)k;", template, re.M)
    assert found is not None
    count, size = int(found.group(1)), int(found.group(2)) * 1024
    end = b"Connection: close\r\n\r\n"
    line = size - len(end)  # "X-i: " + value + CRLF
    lines = b"".join(b"X-%d: %s\r\n" % (i, b"a" * (line - 7)) for i in range(count))
    lines = lines[:-2] + b"a" * over + b"\r\n"
    return b"GET /livez HTTP/1.1\r\nHost: x\r\n" + lines + end


def test_a_head_nginx_accepts_is_never_too_large_for_the_api(api: Live) -> None:
    largest = largest_head_nginx_takes()
    assert status(exchange(api, largest)) == 200  # (431 from the API with 4 x 8 KB buffers)
    assert (
        status(exchange(api, largest_head_nginx_takes(over=1))) == 400
    )  # nginx's: the largest it is


def test_the_cache_key_includes_the_host(echo: Live) -> None:
    a = sent_upstream(echo, "/by-host", Host="a.example")
    b = sent_upstream(echo, "/by-host", Host="b.example")
    assert (a["host"], b["host"]) == ("a.example", "b.example")


@pytest.mark.parametrize(
    ("request_head", "expected"),
    [
        (head(1 << 20), 400),  # a header line over 7 KB
        (
            b"GET /livez HTTP/1.1\r\n"
            + b"".join(b"X-%d: %s\r\n" % (i, b"a" * 7000) for i in range(6))
            + b"Host: x\r\nConnection: close\r\n\r\n",
            400,
        ),  # over 4 x 7 KB in all
        (b"GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 200),
    ],
)
def test_nginx_refuses_bad_heads_before_the_api_sees_them(
    api: Live, request_head: bytes, expected: int
) -> None:
    assert status(exchange(api, request_head)) == expected


CLOSE = b"Connection: close\r\n\r\n"
NGINX_ERRORS = [
    (
        "412",
        b'GET /v1/metrics/gdp-2021-q1-q3 HTTP/1.1\r\nHost: x\r\nIf-Match: "nope"\r\n',
        412,
        "/v1/metrics/gdp-2021-q1-q3",
    ),
    (
        "413",
        b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n",
        413,
        "/v1/metrics",
    ),
    ("bad-line", b"GET /v1 HTTP/1.1\r\nHost: x\r\nNot a header\r\n", 400, "/v1"),
    ("no-host", b"GET /livez HTTP/1.1\r\n", 400, "/livez"),
    ("two-hosts", b"GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n", 400, "/livez"),
    ("bad-host", b"GET /livez HTTP/1.1\r\nHost: a/b\r\n", 400, "/livez"),
    (
        "big-header",
        b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 9000 + b"\r\n",
        400,
        "/livez",
    ),
    ("414", b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n", 414, ""),
    ("405", b"TRACE /livez HTTP/1.1\r\nHost: x\r\n", 405, "/livez"),
    # instance as the API writes it: a path that begins with // is not read as a host
    ("405-slashes", b"TRACE //evil.example/x HTTP/1.1\r\nHost: x\r\n", 405, "/.//evil.example/x"),
    ("405-escapes", b"TRACE /a%2Fb%E6%A0%AA HTTP/1.1\r\nHost: x\r\n", 405, "/a%2Fb%E6%A0%AA"),
    ("bad-percent", b"GET /v1/%ZZ HTTP/1.1\r\nHost: x\r\n", 400, ""),
    ("501", b"GET /livez HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n", 501, "/livez"),
    ("505", b"GET /livez HTTP/2.0\r\nHost: x\r\n", 505, ""),
    ("404", b"GET /zhuzhou-facts-problem HTTP/1.1\r\nHost: x\r\n", 404, "/zhuzhou-facts-problem"),
]


@pytest.mark.parametrize(
    ("request_head", "expected", "instance"),
    [case[1:] for case in NGINX_ERRORS],
    ids=[case[0] for case in NGINX_ERRORS],
)
def test_the_errors_nginx_answers_itself_are_problems_like_the_apis(
    api: Live, request_head: bytes, expected: int, instance: str
) -> None:
    body = b"a" * 100000 if b"Content-Length: 100000" in request_head else b""
    response = exchange(api, request_head + CLOSE + body)
    assert_problem(response, expected, instance)
    if expected == 405:
        assert parsed(response)[1]["allow"] == "GET, HEAD, OPTIONS"


def test_if_match_through_the_cache_is_a_412_problem_or_the_200(api: Live) -> None:
    url = api.base + "/v1/metrics/gdp-2021-q1-q3?if-match=1"
    first = httpx.get(url)
    assert httpx.get(url).headers["x-cache-status"] == "HIT"  # nginx answers from its cache
    current = httpx.get(url, headers={"If-Match": first.headers["etag"]})
    assert current.status_code == 200 and current.content == first.content
    stale = httpx.get(url, headers={"If-Match": '"nope"', "Origin": ORIGIN})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM_JSON
    assert stale.headers["access-control-allow-origin"] == "*"
    assert stale.json()["instance"] == "/v1/metrics/gdp-2021-q1-q3"


PROBLEM_MAP = re.compile(r"map \$status \$zhuzhou_facts_problem \{(.*?)\n\}", re.S)
MAP_LINE = re.compile(r"^\s*(\d{3}|default)\s+'(.*)';$", re.M)


def test_every_status_sent_to_the_problem_page_has_its_problem() -> None:
    template = SITE_TEMPLATE.read_text(encoding="utf-8")
    statuses: set[int] = set()
    for line in re.findall(r"^\s*error_page ([^;]*) /zhuzhou-facts-problem;", template, re.M):
        codes = [c for c in line.split() if not c.startswith("=")]
        overridden = [int(c[1:]) for c in line.split() if c.startswith("=")]
        statuses |= set(overridden) if overridden else {int(c) for c in codes}
    match = PROBLEM_MAP.search(template)
    assert match, "no map of problems"
    entries = dict(MAP_LINE.findall(match.group(1)))
    problems = {
        json.loads("{" + text + ',"instance":""}')["status"]: json.loads("{" + text + "}")
        for text in entries.values()
    }
    assert statuses | {500} <= set(problems)
    assert json.loads("{" + entries["default"] + "}")["status"] == 500
    for code, problem in problems.items():
        assert problem["type"] == problem_type(code)
        assert problem["title"] == HTTPStatus(code).phrase
        assert problem["detail"]
    assert {400, 404, 405, 408, 412, 413, 414, 500, 501, 502, 503, 504, 505} <= statuses


def sockets_of(parent: int) -> int:
    """Open sockets of a process and its children (the uvicorn workers)."""
    pids = [parent] + [
        int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit() and _ppid(p) == parent
    ]
    count = 0
    for pid in pids:
        with suppress(OSError):
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                with suppress(OSError):
                    count += os.readlink(fd).startswith("socket:")
    return count


def _ppid(proc: Path) -> int:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, IndexError, ValueError):
        return -1


def test_silent_connections_are_closed_and_cost_the_api_nothing(stack: tuple[Live, Live]) -> None:
    app, api = stack
    before = sockets_of(app.proc.pid)
    silent = [socket.create_connection(("127.0.0.1", api.port)) for _ in range(300)]
    try:
        with httpx.Client(base_url=api.base) as client:
            answers = {client.get(f"/v1/metrics?limit=1&offset={i}").status_code for i in range(20)}
        assert answers == {200}
        grown = sockets_of(app.proc.pid) - before
        print(f"API sockets: {before} before, +{grown} with 300 silent clients on nginx")
        assert grown < 20  # nginx holds the 300, not the API
        started = time.monotonic()
        for s in silent:
            s.settimeout(15)
            assert s.recv(1) == b""  # closed by nginx after client_header_timeout
        assert time.monotonic() - started < 12
    finally:
        for s in silent:
            s.close()


def test_an_api_that_is_down_is_a_502_problem_with_retry_after(tmp_path: Path) -> None:
    with proxying(tmp_path, free_port()) as proxy:  # nothing listens there
        response = httpx.get(proxy.base + "/v1/metrics")
    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.headers["retry-after"] == "5"
    assert response.headers["access-control-allow-origin"] == "*"  # nginx's own errors too
    assert response.json() == {
        "type": "urn:zhuzhou-facts:problem:http-502",
        "title": "Bad Gateway",
        "status": 502,
        "detail": "The API did not answer the proxy; try again shortly.",
        "instance": "/v1/metrics",
    }


def test_the_workers_behind_nginx_enforce_the_same_limits_themselves(
    stack: tuple[Live, Live],
) -> None:
    app, _ = stack  # WORKERS=2: the limits reach the worker processes too
    assert status(exchange(app, b"GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n")) == 400
    assert status(exchange(app, head(1 << 20))) == 431
