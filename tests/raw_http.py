"""Raw HTTP/1.1 over a socket, for the tests that send what no client library would: the bytes
of a request, every byte of the answer, and the shape of a problem as the API answers it."""

import json
import re
import socket
from contextlib import suppress
from functools import cache
from http import HTTPStatus

from app.api.edge import EXPOSED
from app.api.errors import problem_type
from tests.api_helpers import PROBLEM_JSON
from tests.live import Live


def exchange(live: Live | int, request: bytes, timeout: float = 10.0) -> bytes:
    """Send request on a new connection to a server (or a loopback port); everything the
    server sends until it closes."""
    port = live if isinstance(live, int) else live.port
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
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


def statuses(response: bytes) -> list[int]:
    """The status of every response in a stream of them, in order."""
    return [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", response)]


def parsed(response: bytes) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-cased names) and body of one raw response."""
    head_part, _, body = response.partition(b"\r\n\r\n")
    lines = head_part.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status(response), headers, body


def assert_problem(response: bytes, expected: int, instance: str) -> dict[str, object]:
    """An error as the app answers it: problem+json, CORS, nosniff, DENY, no-store."""
    found, headers, body = parsed(response)
    assert found == expected, response[:300]
    assert headers["content-type"] == PROBLEM_JSON, response[:300]
    assert headers["access-control-allow-origin"] == "*"
    assert headers["access-control-expose-headers"] == EXPOSED
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"
    problem: dict[str, object] = json.loads(body)
    assert set(problem) == {"type", "title", "status", "detail", "instance"}
    assert problem["type"] == problem_type(expected)
    assert problem["title"] == HTTPStatus(expected).phrase
    assert problem["status"] == expected
    assert problem["instance"] == instance
    assert problem["detail"]
    return problem


@cache  # one 64 MB head shared by every sender, not one each
def head(size: int) -> bytes:
    """A GET whose one header holds size bytes."""
    return (
        b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: "
        + b"a" * size
        + b"\r\nConnection: close\r\n\r\n"
    )
