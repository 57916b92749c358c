"""The edge: OPTIONS, HEAD, nosniff, and gzip on the way out (CORS: tests/test_api_cors.py)."""

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import (
    ALLOW,
    DOCUMENT,
    EXAMPLE_URLS,
    GDP_Q1_Q3,
    ORIGIN,
    PROBLEM_JSON,
    assert_problem,
)
from tests.test_api_cors import CORS_CASES

GDP_URL = f"/v1/metrics/{GDP_Q1_Q3}"


def _etag(client: TestClient, url: str) -> str:
    return client.get(url).headers["etag"]


# --- OPTIONS ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", list(EXAMPLE_URLS.values()))
def test_plain_options_on_every_route_is_a_204_with_allow(client: TestClient, url: str) -> None:
    response = client.options(url)
    assert response.status_code == 204
    assert response.headers["allow"] == ALLOW
    assert response.content == b""


def test_options_on_an_unknown_path_is_a_404_problem(client: TestClient) -> None:
    assert_problem(client.options("/nope"), 404, "/nope")


# --- nosniff ------------------------------------------------------------------------------

NOSNIFF_CASES: list[tuple[str, str, dict[str, str], int]] = [
    *CORS_CASES,  # every kind of answer
    ("OPTIONS", "/v1/metrics", {}, 204),
    ("OPTIONS", "/nope", {}, 404),
    ("OPTIONS", "/v1/metrics", {"Access-Control-Request-Method": "GET"}, 200),
    ("GET", "/livez", {}, 200),
    ("GET", f"/v1/documents/{DOCUMENT}/text", {}, 200),
]


@pytest.mark.parametrize(
    ("method", "url", "headers", "status"), NOSNIFF_CASES, ids=lambda v: str(v)
)
def test_every_response_forbids_content_sniffing(
    failing_client: TestClient, method: str, url: str, headers: dict[str, str], status: int
) -> None:
    response = failing_client.request(method, url, headers={"Origin": ORIGIN, **headers})
    assert response.status_code == status
    assert response.headers.get("x-content-type-options") == "nosniff"


# --- HEAD ---------------------------------------------------------------------------------

HEAD_URLS = [
    *EXAMPLE_URLS.values(),
    "/v1/metrics?limit=5&offset=5",
    "/v1/metrics?format=csv&limit=20",
    "/v1/metrics/gdp-2030",
    "/nope",
    "/v1/metrics?limit=0",
]
SAME_HEADERS = (
    "content-length",
    "content-type",
    "content-encoding",
    "etag",
    "link",
    "x-total-count",
    "cache-control",
    "vary",
    "allow",
)


@pytest.mark.parametrize("url", HEAD_URLS)
def test_head_answers_like_get_without_a_body(client: TestClient, url: str) -> None:
    for accept_encoding in ("gzip", "identity"):
        headers = {"Accept-Encoding": accept_encoding}
        get = client.get(url, headers=headers)
        head = client.head(url, headers=headers)
        assert head.status_code == get.status_code
        assert head.content == b""
        for name in SAME_HEADERS:
            assert head.headers.get(name) == get.headers.get(name), (name, accept_encoding)
        assert "content-length" in head.headers


def test_head_honours_if_none_match(client: TestClient) -> None:
    response = client.head(GDP_URL, headers={"If-None-Match": _etag(client, GDP_URL)})
    assert response.status_code == 304
    assert response.content == b""


# --- gzip ---------------------------------------------------------------------------------


def test_a_large_list_is_gzipped_when_the_client_accepts_it(client: TestClient) -> None:
    zipped = client.get("/v1/metrics?limit=500", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/v1/metrics?limit=500", headers={"Accept-Encoding": "identity"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert int(zipped.headers["content-length"]) < len(plain.content) // 2
    assert zipped.content == plain.content  # decoded by the client
    assert zipped.headers["etag"] != plain.headers["etag"]  # strong: bytes differ
    assert "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain.content)


@pytest.mark.parametrize("url", ["/livez", GDP_URL, "/v1/metrics?limit=1"])
def test_a_small_answer_is_never_gzipped(client: TestClient, url: str) -> None:
    response = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content) < 1024


def test_a_gzipped_etag_revalidates_only_the_gzipped_answer(client: TestClient) -> None:
    url = "/v1/metrics?limit=500"
    zipped_etag = client.get(url, headers={"Accept-Encoding": "gzip"}).headers["etag"]
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": zipped_etag})
    plain = client.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": zipped_etag})
    assert again.status_code == 304
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/json"


def test_a_problem_is_problem_json_whatever_the_encoding(client: TestClient) -> None:
    response = client.get("/v1/metrics/gdp-2030", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-type"] == PROBLEM_JSON
