"""The server's limits hold on `zhuzhou-facts serve` itself (and so in the image, which runs it):
request heads bounded in size and time, HTTP/1.1's Host rule, idle keep-alive connections closed,
a concurrency limit, and a SIGTERM that ends even when a client never reads."""

import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from functools import cache
from pathlib import Path

import httpx
import pytest

from app.config import PROJECT_ROOT, Settings
from tests.live import Live, serving


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


def exchange(live: Live, request: bytes, timeout: float = 10.0) -> bytes:
    """Send request on a new connection; everything the server sends until it closes."""
    with socket.create_connection(("127.0.0.1", live.port), timeout=timeout) as s:
        with suppress(OSError):  # refused mid-send: what the server answered is still there
            s.sendall(request)
        chunks = []
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
        return b"".join(chunks)


def status(response: bytes) -> int:
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", response)
    assert match, response[:200]
    return int(match.group(1))


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


@cache  # one 64 MB head shared by every sender, not one each
def head(size: int) -> bytes:
    """A GET whose one header holds size bytes."""
    return (
        b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: "
        + b"a" * size
        + b"\r\nConnection: close\r\n\r\n"
    )


def test_a_head_within_the_limit_is_served(server: Live) -> None:
    assert status(exchange(server, head(Settings().limit_request_head // 2))) == 200


@pytest.mark.parametrize("size", [1 << 20, 64 << 20])
def test_an_oversized_head_is_refused_with_431(server: Live, size: int) -> None:
    response = exchange(server, head(size))
    assert status(response) == 431
    assert b"connection: close" in response


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


POST = b"POST /v1/metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"


@pytest.mark.parametrize(
    ("then", "expected"),
    [
        (pipelined(2), [b"405", b"200", b"200"]),
        (head(1 << 20), [b"405", b"431"]),
    ],
    ids=["small", "oversized"],
)
def test_heads_after_a_body_are_counted_from_its_end(
    server: Live, then: bytes, expected: list[bytes]
) -> None:
    response = exchange(server, POST + then)
    assert re.findall(rb"HTTP/1\.1 (\d{3}) ", response) == expected


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
    assert status(exchange(server, request_head)) == expected


def test_a_connection_that_never_sends_a_request_is_closed(server: Live) -> None:
    started = time.monotonic()
    assert exchange(server, b"") == b""  # closed by the server, no answer
    assert time.monotonic() - started < 8  # the head timeout is 1 s here; 10 s by default


def test_a_head_that_trickles_in_gets_408(server: Live) -> None:
    assert status(exchange(server, b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Slow: ")) == 408


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
            assert httpx.get(live.base + "/livez").status_code == 503
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
