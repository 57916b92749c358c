"""The server's limits hold on `zhuzhou-facts serve` itself (and so in the image, which runs it):
request heads bounded in size and time, no request content read, HTTP/1.1's Host rule, idle
keep-alive connections closed, a concurrency limit, a SIGTERM that ends even when a client never
reads, and every refusal the server makes itself a problem like the app's."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT, Settings
from tests.api_helpers import PROBLEM_JSON
from tests.live import Live, serving
from tests.raw_http import assert_problem, exchange, head, parsed, status, statuses


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, api_settings: Settings) -> Iterator[Live]:
    """One server with the default limits, but timeouts short enough to watch."""
    tmp = tmp_path_factory.mktemp("limits")
    with serving(
        tmp,
        DATABASE_URL=api_settings.database_url,
        AUTO_SEED="false",
        TIMEOUT_REQUEST_HEAD="1",
        TIMEOUT_KEEP_ALIVE="1",
    ) as live:
        yield live


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def test_a_head_within_the_limit_is_served(server: Live) -> None:
    assert status(exchange(server, head(Settings().limit_request_head // 2))) == 200


@pytest.mark.parametrize("size", [1 << 20, 64 << 20])
def test_an_oversized_head_is_refused_with_431(server: Live, size: int) -> None:
    response = exchange(server, head(size))
    assert_problem(response, 431, "")  # the head was not read whole: no target to name
    assert parsed(response)[1]["connection"] == "close"


def test_eight_64mb_heads_at_once_cost_the_server_no_memory(server: Live) -> None:
    before = rss_mb(server.proc.pid)
    answers: list[bytes] = []
    senders = [
        threading.Thread(target=lambda: answers.append(exchange(server, head(64 << 20))))
        for _ in range(8)
    ]
    for t in senders:
        t.start()
    for t in senders:
        t.join(60)
    assert [status(a) for a in answers] == [431] * 8
    assert rss_mb(server.proc.pid) - before < 16  # each was cut off after 32 KB
    assert httpx.get(server.base + "/livez").status_code == 200


def pipelined(count: int, last_closes: bool = True) -> bytes:
    """count GETs of one-metric pages, offsets 0..count-1, in one buffer (RFC 9112 §9.3.2)."""
    line = (
        b"GET /v1/metrics?limit=1&offset=%d HTTP/1.1\r\nHost: x\r\n"
        b"User-Agent: pipelining-test/1.0\r\n\r\n"
    )  # 88 bytes: 400 of them are over 32 KiB together
    heads = [line % i for i in range(count)]
    if last_closes:
        heads[-1] = heads[-1][:-2] + b"Connection: close\r\n\r\n"
    return b"".join(heads)


def offsets(response: bytes) -> list[int]:
    """The offsets of the JSON pages in a stream of responses, in the order they came."""
    return [int(m) for m in re.findall(rb'"offset":(\d+)\}', response)]


def test_400_pipelined_requests_in_one_write_are_all_answered_in_order(server: Live) -> None:
    sent = pipelined(400)
    assert len(sent) > Settings().limit_request_head  # together over the limit, each far under
    response = exchange(server, sent, timeout=30)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", response) == [b"200"] * 400
    assert offsets(response) == list(range(400))


def test_pipelined_requests_sent_a_byte_at_a_time_are_answered(server: Live) -> None:
    sent = pipelined(400)  # the server reads them in pieces of any size, split anywhere
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for i in range(len(sent)):
            s.sendall(sent[i : i + 1])
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    assert offsets(response) == list(range(400))


@pytest.mark.parametrize(("extra", "expected"), [(0, [b"200", b"200"]), (1, [b"200", b"431"])])
def test_a_head_counts_from_the_end_of_the_one_before_even_when_that_end_is_split(
    server: Live, extra: int, expected: list[bytes]
) -> None:
    first = pipelined(1, last_closes=False)
    second = head(Settings().limit_request_head - len(head(0)) + extra)  # the limit, or one more
    # Separate reads: the first head's CRLF CRLF is split, the second begins in the same read.
    pieces = [first[:-1], first[-1:] + second[:1000], second[1000:]]
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for piece in pieces:
            s.sendall(piece)
            time.sleep(0.1)
        response = b""
        with suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                response += chunk
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", response) == expected


CONTENT = [
    ("get", b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n", 413, "/v1"),
    ("head", b"HEAD /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 413, "/v1"),
    ("options", b"OPTIONS /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n", 413, "/v1"),
    ("chunked", b"GET /v1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 413, "/v1"),
    ("http10", b"GET /livez?a=1 HTTP/1.0\r\nContent-Length: 9\r\n\r\n", 413, "/livez"),
    (
        "post",
        b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
        405,
        "/v1/metrics",
    ),
    ("put", b"PUT /v1 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n", 405, "/v1"),
]


@pytest.mark.parametrize(
    ("request_head", "expected", "instance"),
    [case[1:] for case in CONTENT],
    ids=[case[0] for case in CONTENT],
)
def test_a_request_with_content_is_answered_and_closed_without_waiting_for_it(
    server: Live, request_head: bytes, expected: int, instance: str
) -> None:
    # Only the head is sent: the answer and the close come without a byte of the content.
    response = exchange(server, request_head)
    if request_head.startswith(b"HEAD"):
        found, headers, body = parsed(response)
        assert (found, headers["content-type"], body) == (413, PROBLEM_JSON, b"")
        return
    assert_problem(response, expected, instance)
    if expected == 405:
        assert parsed(response)[1]["allow"] == "GET, HEAD, OPTIONS"


def test_a_dribbled_body_never_holds_the_connection(server: Live) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.sendall(b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n")
        sent = 0
        with suppress(OSError):  # the server closed: the rest cannot be sent
            for _ in range(100):  # 20 s of dribbling, past every timeout
                s.sendall(b"a")
                sent += 1
                time.sleep(0.2)
        response = b""
        with suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                response += chunk
    assert status(response) == 413
    assert sent < 100  # the server did not wait for it


def test_a_request_with_empty_content_is_served_and_the_connection_kept(server: Live) -> None:
    empty = b"GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n"
    response = exchange(server, empty + empty[:-2] + b"Connection: close\r\n\r\n")
    assert statuses(response) == [200, 200]


BODY = b"GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
BIG_NEXT = b"GET /v1/metrics?limit=1 HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 40000 + b"\r\n\r\n"


@pytest.mark.parametrize(
    ("sent", "expected"),
    [
        (BODY + BIG_NEXT, [413]),
        (BODY + pipelined(1500), [413]),
        (BODY.replace(b"GET", b"POST", 1) + pipelined(2), [405]),
        (BODY.replace(b"Content-Length: 5", b"Transfer-Encoding: chunked") + pipelined(2), [413]),
    ],
    ids=["oversized-head", "1500-requests", "post", "chunked"],
)
def test_nothing_sent_after_content_is_parsed(
    server: Live, sent: bytes, expected: list[int]
) -> None:
    assert statuses(exchange(server, sent, timeout=30)) == expected


def test_content_after_answered_requests_is_refused_after_their_answers(server: Live) -> None:
    response = exchange(server, pipelined(3, last_closes=False) + BODY + pipelined(1))
    assert statuses(response) == [200, 200, 200, 413]
    assert offsets(response) == [0, 1, 2]


@pytest.mark.parametrize("after", [0, 3, 100])
def test_an_oversized_head_after_small_pipelined_ones_is_still_refused(
    server: Live, after: int
) -> None:
    sent = (pipelined(after, last_closes=False) if after else b"") + head(1 << 20)
    response = exchange(server, sent)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", response) == [b"200"] * after + [b"431"]


def test_a_head_at_the_limit_is_served_and_one_byte_more_is_refused(server: Live) -> None:
    limit = Settings().limit_request_head
    overhead = len(head(0))
    for size, expected in ((limit - overhead, 200), (limit - overhead + 1, 431)):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
            request = head(size)
            assert len(request) == size + overhead
            for i in range(0, len(request), 997):  # in many chunks, the end of head split
                s.sendall(request[i : i + 997])
            response = b""
            with suppress(ConnectionResetError):
                while chunk := s.recv(65536):
                    response += chunk
        assert status(response) == expected, size


@pytest.mark.parametrize(
    ("request_head", "expected"),
    [
        (b"GET /livez HTTP/1.1\r\nConnection: close\r\n\r\n", 400),
        (b"GET /livez HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", 400),
        (b"GET /livez HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        (b"GET /livez HTTP/1.0\r\n\r\n", 200),  # HTTP/1.0 needs no Host
        (b"GET /livez HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 200),
    ],
)
def test_http11_needs_exactly_one_host(server: Live, request_head: bytes, expected: int) -> None:
    response = exchange(server, request_head)
    if expected == 400:
        assert_problem(response, 400, "/livez")  # the edge's, as under plain uvicorn
    assert status(response) == expected


CLOSE = b"Connection: close\r\n\r\n"
UNREADABLE = [
    ("unknown-method", b"BREW /v1 HTTP/1.1\r\nHost: x\r\n", 501, ""),
    ("lower-case-method", b"get /v1 HTTP/1.1\r\nHost: x\r\n", 501, ""),
    ("bad-header-line", b"GET /v1 HTTP/1.1\r\nHost: x\r\nNot a header\r\n", 400, ""),
    ("bad-target", b"GET /a b HTTP/1.1\r\nHost: x\r\n", 400, ""),
    ("bad-length", b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n", 400, ""),
    (
        "length-and-chunked",
        b"GET /v1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n",
        400,
        "",
    ),
    ("connect", b"CONNECT x:443 HTTP/1.1\r\nHost: x:443\r\n", 400, ""),
    ("http-3.1", b"GET /v1 HTTP/3.1\r\nHost: x\r\n", 505, ""),
    ("http-0.9", b"GET /v1 HTTP/0.9\r\nHost: x\r\n", 505, "/v1"),
    ("http-1.2", b"GET /v1 HTTP/1.2\r\nHost: x\r\n", 505, ""),
    ("http-2.0", b"GET /v1?x=1 HTTP/2.0\r\nHost: x\r\n", 505, "/v1"),
]


@pytest.mark.parametrize(
    ("request_head", "expected", "instance"),
    [case[1:] for case in UNREADABLE],
    ids=[case[0] for case in UNREADABLE],
)
def test_what_the_parser_refuses_is_a_problem_like_the_apps(
    server: Live, request_head: bytes, expected: int, instance: str
) -> None:
    response = exchange(server, request_head + CLOSE)
    assert_problem(response, expected, instance)
    assert parsed(response)[1]["connection"] == "close"
    if expected == 501:  # RFC 9110 §9.1: a method the server does not recognise
        assert parsed(response)[1]["allow"] == "GET, HEAD, OPTIONS"


ABSOLUTE = [
    (b"http://api.example/v1/metrics?limit=1", b"a", "http://api.example"),
    (b"http://api.example:8443/v1/metrics?limit=1", b"a", "http://api.example:8443"),
    (b"HTTP://[::1]:99/v1/metrics?limit=1", b"a", "http://[::1]:99"),
    (b"/v1/metrics?limit=1", b"a:81", "http://a:81"),  # origin-form: the Host field
    (b"https://api.example/v1/metrics?limit=1", b"a", "http://api.example"),  # our scheme
]


@pytest.mark.parametrize(("target", "host", "base"), ABSOLUTE)
def test_an_absolute_form_target_names_the_host(
    server: Live, target: bytes, host: bytes, base: str
) -> None:
    # RFC 9112 §3.2.2: the server ignores Host and uses the target's authority.
    response = exchange(server, b"GET " + target + b" HTTP/1.1\r\nHost: " + host + b"\r\n" + CLOSE)
    assert status(response) == 200
    assert f"<{base}/v1/metrics?".encode() in parsed(response)[1]["link"].encode()


def test_an_http10_absolute_form_target_without_host_names_the_host(server: Live) -> None:
    response = exchange(server, b"GET http://api.example:8443/v1/metrics?limit=1 HTTP/1.0\r\n\r\n")
    assert status(response) == 200
    assert "<http://api.example:8443/v1/metrics?" in parsed(response)[1]["link"]


@pytest.mark.parametrize(
    ("target", "says"),
    [
        (b"ftp://api.example/v1", "not an http or https one"),
        (b"urn:x:y", "could not be read"),  # llhttp refuses it itself
        (b"http://user:pw@api.example/v1", "user information"),
        (b"http://user@api.example/v1", "user information"),
    ],
)
def test_an_absolute_form_target_that_is_no_http_uri_is_a_400(
    server: Live, target: bytes, says: str
) -> None:
    response = exchange(server, b"GET " + target + b" HTTP/1.1\r\nHost: a\r\n" + CLOSE)
    problem = assert_problem(response, 400, "/v1" if target.endswith(b"/v1") else "")
    assert says in str(problem["detail"])


@pytest.mark.parametrize(
    "request_head",
    [
        b"GET http://api.example/livez HTTP/1.1\r\n",  # HTTP/1.1 still needs its Host
        b"GET http://api.example/livez HTTP/1.1\r\nHost: a\r\nHost: b\r\n",
        b"GET http://a%22b/livez HTTP/1.1\r\nHost: a\r\n",  # checked like any Host
    ],
)
def test_an_absolute_form_target_does_not_lift_the_host_rule(
    server: Live, request_head: bytes
) -> None:
    assert status(exchange(server, request_head + CLOSE)) == 400


def test_a_client_that_pipelines_without_reading_costs_a_bounded_amount(server: Live) -> None:
    many = b"GET /livez HTTP/1.1\r\nHost: a\r\n\r\n" * ((2 << 20) // 30)  # 2 MB: 70,000 requests
    before = rss_mb(server.proc.pid)
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.settimeout(5)
        with suppress(TimeoutError):  # the server stops reading: so does sendall
            s.sendall(many)
        time.sleep(1)
        grown = rss_mb(server.proc.pid) - before
        answered = httpx.get(server.base + "/livez", timeout=5)  # others are served meanwhile
    assert grown < 16, f"{grown:.0f} MB for 2 MB of requests"  # unbounded: over 100 MB
    assert answered.status_code == 200


def test_the_answers_before_a_refusal_reach_a_client_still_sending(server: Live) -> None:
    # A large answer, then a request with content the client goes on sending: the server
    # refuses it, and must not reset the connection under the answers it has not read yet.
    big = b"GET /v1/metrics?limit=500 HTTP/1.1\r\nHost: x\r\n\r\n"
    refused = b"GET /livez HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        s.connect(("127.0.0.1", server.port))
        s.settimeout(10)
        s.sendall(big * 4 + refused)

        def keep_sending() -> None:
            with suppress(OSError):
                for _ in range(100):  # 6.4 MB at most: then the client stops
                    s.sendall(b"x" * 65536)

        sender = threading.Thread(target=keep_sending)
        sender.start()
        time.sleep(0.5)  # the server has written everything and refused the last request
        response = bytearray()
        with suppress(TimeoutError):
            while chunk := s.recv(65536):
                response += chunk
        sender.join(20)
    assert statuses(bytes(response)) == [200, 200, 200, 200, 413]
    assert_problem(bytes(response)[bytes(response).rindex(b"HTTP/1.1 413") :], 413, "/livez")


def test_an_upgrade_is_ignored_and_the_request_answered(server: Live) -> None:
    upgrade = (
        b"GET /livez HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
        b"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
    )
    response = exchange(server, upgrade + pipelined(1))
    assert statuses(response) == [200, 200]
    assert b'{"status":"ok"}' in response


def test_a_connection_that_never_sends_a_request_is_closed(server: Live) -> None:
    started = time.monotonic()
    assert exchange(server, b"") == b""  # closed by the server, no answer
    assert time.monotonic() - started < 8  # the head timeout is 1 s here; 10 s by default


def test_a_head_that_trickles_in_gets_408(server: Live) -> None:
    response = exchange(server, b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")
    assert_problem(response, 408, "")


def dribble(s: socket.socket, pieces: bytes, every: float = 0.2) -> tuple[bytes, int]:
    """Send pieces a byte at a time, reading meanwhile, until the server closes; what came, and
    how many bytes were sent before it closed."""
    s.settimeout(every)
    response = bytearray()
    for sent in range(len(pieces)):
        try:
            s.sendall(pieces[sent : sent + 1])
            while chunk := s.recv(1 << 20):
                response += chunk
        except TimeoutError:
            continue  # nothing more for now: the next byte
        except OSError:
            pass  # reset: closed with our last byte unread
        return bytes(response), sent  # closed by the server
    return bytes(response), len(pieces)


@pytest.mark.parametrize(
    "rest", [b"\r\n" * 100, b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100]
)
def test_a_head_dribbled_after_an_answer_is_timed_out(server: Live, rest: bytes) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(pipelined(1, last_closes=False))
        response, sent = dribble(s, rest)  # a byte every 0.2 s: 20 s and more in all
    assert statuses(response) == [200, 408]
    assert sent < len(rest)  # closed by the server long before the client was done


def test_a_head_begun_during_a_slow_response_is_timed_out_after_it(server: Live) -> None:
    # Answers the client does not read keep a response in progress past the head timeout (1 s),
    # while the next head has begun; then the client reads them all and dribbles that head.
    many = b"GET /v1/metrics?limit=500 HTTP/1.1\r\nHost: x\r\n\r\n" * 200  # ~10 MB of answers
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.connect(("127.0.0.1", server.port))
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        s.sendall(many + b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        time.sleep(2)
        response, sent = dribble(s, b"a" * 100, every=0.1)
    assert statuses(response) == [200] * 200 + [408]
    assert sent < 100


def test_an_idle_keep_alive_connection_is_closed(server: Live) -> None:
    with socket.create_connection(("127.0.0.1", server.port), timeout=15) as s:
        s.sendall(b"GET /livez HTTP/1.1\r\nHost: x\r\n\r\n")
        response = b""
        while not response.endswith(b'{"status":"ok"}'):
            response += s.recv(65536)
        assert status(response) == 200
        started = time.monotonic()
        assert s.recv(65536) == b""  # TIMEOUT_KEEP_ALIVE later
        assert time.monotonic() - started < 8


def test_over_the_concurrency_limit_requests_get_503(
    tmp_path: Path, api_settings: Settings
) -> None:
    with serving(
        tmp_path, DATABASE_URL=api_settings.database_url, AUTO_SEED="false", LIMIT_CONCURRENCY="3"
    ) as live:
        held = [socket.create_connection(("127.0.0.1", live.port)) for _ in range(3)]
        try:
            time.sleep(0.2)  # let the server accept them
            response = exchange(live, b"GET /livez HTTP/1.1\r\nHost: x\r\n" + CLOSE)
            assert_problem(response, 503, "/livez")  # not uvicorn's plain text
            assert parsed(response)[1]["retry-after"] == "5"
        finally:
            for s in held:
                s.close()
        time.sleep(0.2)
        assert httpx.get(live.base + "/livez").status_code == 200


def test_sigterm_ends_the_server_even_when_a_client_never_reads(
    tmp_path: Path, api_settings: Settings
) -> None:
    with serving(
        tmp_path,
        DATABASE_URL=api_settings.database_url,
        AUTO_SEED="false",
        TIMEOUT_GRACEFUL_SHUTDOWN="1",
    ) as live:
        stuck = socket.create_connection(("127.0.0.1", live.port))
        try:
            stuck.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            one = b"GET /v1/metrics?limit=500&format=csv HTTP/1.1\r\nHost: x\r\n\r\n"
            stuck.sendall(one * 400)  # ~100 MB of answers, none of them read
            time.sleep(1)
            started = time.monotonic()
            code = live.stop(timeout=30)
            elapsed = time.monotonic() - started
        finally:
            stuck.close()
        assert code in (0, -15)  # uvicorn re-raises the SIGTERM it handled, to exit by it
        assert elapsed < 15, f"SIGTERM took {elapsed:.1f}s"
        log = live.output()
        assert "timeout graceful shutdown exceeded" in log
        assert "Application shutdown complete" in log


def test_the_image_runs_the_serve_command_and_so_its_limits() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text(encoding="utf-8")
    starts = re.findall(r"^(?:CMD|ENTRYPOINT) .*$", dockerfile, flags=re.M)
    assert starts == ['CMD ["zhuzhou-facts", "serve"]']
