"""Problem `instance` (RFC 9457 §3.1.5): the request target as received, a URI reference."""

import json
import re
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.errors import instance_of
from app.config import Settings
from app.main import create_app
from tests.api_helpers import assert_problem
from tests.raw_http import exchange, status

# (request target, expected status, expected instance): percent-encoding kept as sent, never
# decoded (so no raw non-ASCII and no decoded separators), and the query left out.
CASES = [
    ("/v1/entities/%E6%A0%AA%E6%B4%B2", 404, "/v1/entities/%E6%A0%AA%E6%B4%B2"),
    ("/v1/entities/%e6%a0%aa%e6%b4%b2", 404, "/v1/entities/%e6%a0%aa%e6%b4%b2"),
    ("/v1/entities/a%2Fb", 404, "/v1/entities/a%2Fb"),
    ("/v1/entities/a%252Fb", 404, "/v1/entities/a%252Fb"),
    ("/v1/metrics/gdp%20x", 404, "/v1/metrics/gdp%20x"),
    ("/v1/nope%3Fx", 404, "/v1/nope%3Fx"),
    ("/v1/metrics?limit=0", 422, "/v1/metrics"),
    ("/v1/metrics?q=%00", 422, "/v1/metrics"),
    ("/v1/metrics?format=csv&limit=abc", 422, "/v1/metrics"),
    ("/v1", 406, "/v1"),  # with Accept: text/csv below
]


@pytest.mark.parametrize(("target", "status", "instance"), CASES, ids=str)
def test_instance_is_the_target_as_received(
    client: TestClient, target: str, status: int, instance: str
) -> None:
    headers = {"Accept": "text/csv"} if status == 406 else {}
    body = assert_problem(client.get(target, headers=headers), status, instance)
    assert body["instance"].isascii()


def test_a_405_names_its_target_too(client: TestClient) -> None:
    assert_problem(client.delete("/v1/entities/%E6%A0%AA"), 405, "/v1/entities/%E6%A0%AA")


@pytest.mark.parametrize(
    ("scope", "instance"),
    [
        ({"raw_path": b"/v1/x%2Fy", "path": "/v1/x/y"}, "/v1/x%2Fy"),
        ({"path": "/v1/株洲"}, "/v1/%E6%A0%AA%E6%B4%B2"),  # no raw_path: encoded from path
        ({"raw_path": b"/v1/x", "path": "/facts/v1/x", "root_path": "/facts"}, "/facts/v1/x"),
        ({"raw_path": b"/facts/v1/x", "path": "/facts/v1/x", "root_path": "/facts"}, "/facts/v1/x"),
        ({"path": "/facts 2/v1", "root_path": "/facts 2"}, "/facts%202/v1"),
        # What a URI cannot hold is encoded; what it can is kept as sent.
        ({"raw_path": b'/v1/"<>\\^`{|}'}, "/v1/%22%3C%3E%5C%5E%60%7B%7C%7D"),
        ({"raw_path": b"/v1/%ZZ"}, "/v1/%25ZZ"),  # a % without two hex digits
        ({"raw_path": b"/v1/%4"}, "/v1/%254"),
        ({"raw_path": b"/v1/%"}, "/v1/%25"),
        ({"raw_path": "/v1/株洲".encode()}, "/v1/%E6%A0%AA%E6%B4%B2"),  # raw UTF-8, as sent
        # A path that begins with // would be read as a host: the same path, written /.//
        ({"raw_path": b"//evil.example/x"}, "/.//evil.example/x"),
        ({"raw_path": b"///x"}, "/.///x"),
        ({"raw_path": b"//x", "root_path": "/facts"}, "/facts//x"),
    ],
)
def test_instance_of_a_scope(scope: dict[str, object], instance: str) -> None:
    assert instance_of(scope) == instance


def test_behind_a_path_prefix_the_instance_carries_it(api_settings: Settings) -> None:
    with TestClient(create_app(api_settings), root_path="/facts") as prefixed:
        body = assert_problem(prefixed.get("/v1/metrics/nope"), 404, "/facts/v1/metrics/nope")
        assert body["detail"] == "No metric with id 'nope'."


@pytest.mark.parametrize(("target", "status", "instance"), CASES[:6], ids=str)
def test_a_real_server_reports_the_same_instance(
    live_url: str, target: str, status: int, instance: str
) -> None:
    response = httpx.get(live_url + target)
    assert response.status_code == status
    assert response.json()["instance"] == instance


# RFC 3986 §3.3 path-absolute, and its pchar: what `instance` must be (a URI reference).
PATH_ABSOLUTE = re.compile(r"/(?!/)(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*|/")

RAW_TARGETS = [
    (b'/v1/"<>\\^`{|}', "/v1/%22%3C%3E%5C%5E%60%7B%7C%7D"),
    (b"/v1/%ZZ", "/v1/%25ZZ"),
    (b"//evil.example/x", "/.//evil.example/x"),
    (b"/v1/%E6%A0%AA%E6%B4%B2?q=%00", "/v1/%E6%A0%AA%E6%B4%B2"),
]


@pytest.mark.parametrize(("target", "instance"), RAW_TARGETS, ids=str)
def test_a_target_no_client_library_sends_still_gets_a_uri_reference(
    live_url: str, target: bytes, instance: str
) -> None:
    port = urlsplit(live_url).port
    assert port is not None
    request = b"GET " + target + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    response = exchange(port, request)
    assert status(response) == 404
    found = json.loads(response.split(b"\r\n\r\n", 1)[1])["instance"]
    assert found == instance
    assert PATH_ABSOLUTE.fullmatch(found)
    assert urlsplit(found).netloc == ""  # resolved against the API, it stays on the API
