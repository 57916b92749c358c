"""CORS (Fetch standard): the fixed policy on every response, preflights, through caches."""

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import ALLOW, GDP_Q1_Q3, ORIGIN, assert_problem

GDP_URL = f"/v1/metrics/{GDP_Q1_Q3}"
EXPOSED = {"etag", "link", "x-total-count", "allow", "retry-after", "content-disposition", "vary"}


# --- CORS ---------------------------------------------------------------------------------

# (method, url, extra headers, expected status)
CORS_CASES: list[tuple[str, str, dict[str, str], int]] = [
    ("GET", "/v1/metrics?limit=2", {}, 200),
    ("GET", GDP_URL, {}, 200),
    ("GET", "/v1/metrics?format=csv&limit=20", {}, 200),
    ("HEAD", GDP_URL, {}, 200),
    ("GET", GDP_URL, {"If-None-Match": "*"}, 304),
    ("GET", "/v1/metrics/gdp-2030", {}, 404),
    ("GET", "/nope", {}, 404),
    ("GET", "/v1/metrics?limit=0", {}, 422),
    ("GET", "/v1/search", {}, 422),
    ("POST", "/v1/metrics", {}, 405),
    ("DELETE", GDP_URL, {}, 405),
    ("GET", "/v1/explode", {}, 500),
    ("GET", "/v1/metrics", {"Accept": "image/png"}, 406),
    ("GET", "/v1/metrics", {"Host": "a b"}, 400),
    ("GET", GDP_URL, {"If-Match": '"nope"'}, 412),
    ("GET", "/v1/metrics?format=ndjson", {}, 200),
    ("GET", "/docs", {}, 200),
    ("OPTIONS", "/v1/metrics", {}, 204),
]


@pytest.mark.parametrize(("method", "url", "headers", "status"), CORS_CASES, ids=lambda v: str(v))
@pytest.mark.parametrize("origin", [ORIGIN, None], ids=["cross-origin", "no-origin"])
def test_every_answer_is_open_to_every_origin_without_credentials(
    failing_client: TestClient,
    method: str,
    url: str,
    headers: dict[str, str],
    status: int,
    origin: str | None,
) -> None:
    sent = {**headers, **({"Origin": origin} if origin else {})}
    response = failing_client.request(method, url, headers=sent)
    assert response.status_code == status
    assert response.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in response.headers
    exposed = {
        h.strip().lower() for h in response.headers["access-control-expose-headers"].split(",")
    }
    assert exposed >= EXPOSED
    assert "origin" not in response.headers.get("vary", "").lower()


def test_an_answer_without_an_origin_carries_the_same_cors_headers(client: TestClient) -> None:
    # The policy is fixed, so a shared cache may hand this response to a browser later.
    plain = client.get(GDP_URL)
    cross = client.get(GDP_URL, headers={"Origin": ORIGIN})
    assert plain.headers["access-control-allow-origin"] == "*"
    cors = {k: v for k, v in plain.headers.items() if k.startswith("access-control-")}
    assert cors == {k: v for k, v in cross.headers.items() if k.startswith("access-control-")}
    assert "origin" not in plain.headers.get("vary", "").lower()


@pytest.mark.parametrize("url", ["/v1/metrics", GDP_URL, "/v1/search?q=GDP", "/v1/documents"])
def test_a_preflight_for_get_is_answered(client: TestClient, url: str) -> None:
    response = client.options(
        url,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "If-None-Match, Accept",
        },
    )
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    methods = {m.strip() for m in response.headers["access-control-allow-methods"].split(",")}
    assert methods == {"GET", "HEAD", "OPTIONS"}
    allowed = {
        h.strip().lower() for h in response.headers["access-control-allow-headers"].split(",")
    }
    assert {"if-none-match", "accept"} <= allowed
    assert "access-control-allow-credentials" not in response.headers
    assert int(response.headers["access-control-max-age"]) > 0


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE"])
def test_a_preflight_for_a_write_is_refused_as_a_problem(client: TestClient, method: str) -> None:
    response = client.options(
        "/v1/metrics", headers={"Origin": ORIGIN, "Access-Control-Request-Method": method}
    )
    assert 400 <= response.status_code < 500
    assert method not in response.headers.get("access-control-allow-methods", "")
    assert_problem(response, response.status_code, "/v1/metrics")


def test_a_405_tells_a_script_what_is_allowed(client: TestClient) -> None:
    response = client.post("/v1/metrics", headers={"Origin": ORIGIN})
    assert response.headers["allow"] == ALLOW
    assert "allow" in response.headers["access-control-expose-headers"].lower()


def test_cors_headers_come_from_a_real_server_too(live_url: str) -> None:
    with httpx.Client(base_url=live_url) as http:
        for headers in ({}, {"Origin": ORIGIN}):
            response = http.get(GDP_URL, headers=headers)
            assert response.headers["access-control-allow-origin"] == "*"
        preflight = http.options(
            GDP_URL, headers={"Origin": ORIGIN, "Access-Control-Request-Method": "GET"}
        )
        assert preflight.status_code == 200
        assert "GET" in preflight.headers["access-control-allow-methods"]
