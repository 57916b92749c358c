"""URLs the API writes are right behind a path prefix and a TLS-terminating proxy."""

import re

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.live import uvicorn_server

BASE = "https://api.example/facts"
LINK = re.compile(r'<([^>]*)>;\s*rel="([a-z]+)"')


@pytest.fixture(scope="module")
def behind(api_settings: Settings) -> TestClient:
    """The app as a proxy at https://api.example/facts/ presents it."""
    with TestClient(
        create_app(api_settings), root_path="/facts", base_url="https://api.example"
    ) as client:
        yield client  # type: ignore[misc]


def test_link_targets_are_absolute_with_scheme_host_and_prefix(behind: TestClient) -> None:
    response = behind.get("/v1/metrics", params={"limit": 10, "offset": 10})
    links = {rel: url for url, rel in LINK.findall(response.headers["link"])}
    assert set(links) == {"first", "prev", "next", "last"}
    for url in links.values():
        assert url.startswith(f"{BASE}/v1/metrics?"), url
    # requests' r.links["next"]["url"] works as is: the next page is where it says.
    following = behind.get(links["next"].removeprefix("https://api.example"))
    assert following.json()["offset"] == 20


def test_urls_in_bodies_carry_the_prefix(behind: TestClient) -> None:
    hits = behind.get("/v1/search", params={"q": "GDP"}).json()["items"]
    assert hits and all(h["url"].startswith(f"{BASE}/v1/") for h in hits)
    resources = behind.get("/v1").json()["resources"]
    assert resources["metrics"] == f"{BASE}/v1/metrics"
    assert resources["docs"] == f"{BASE}/docs"
    hit = hits[0]["url"].removeprefix("https://api.example")
    assert behind.get(hit).status_code == 200


def test_the_docs_load_their_document_and_assets_through_the_prefix(behind: TestClient) -> None:
    page = behind.get("/docs").text
    assert "/facts/openapi.json" in page and "/facts/docs-assets/swagger-ui-bundle.js" in page
    assert behind.get("/openapi.json").json()["servers"] == [{"url": "/facts"}]


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/v1/metrics/", "/facts/v1/metrics"),
        ("/v1/metrics/?limit=3", "/facts/v1/metrics?limit=3"),
        ("/v1/metrics/gdp-2021-q1-q3/", "/facts/v1/metrics/gdp-2021-q1-q3"),
    ],
)
def test_a_trailing_slash_redirects_relatively(
    behind: TestClient, target: str, location: str
) -> None:
    response = behind.get(target, follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == location  # no scheme or host to get wrong


def test_a_trailing_slash_on_nothing_is_a_404(behind: TestClient) -> None:
    assert behind.get("/v1/nope/", follow_redirects=False).status_code == 404


@pytest.mark.parametrize(
    ("allow", "scheme"),
    [("127.0.0.1", "https"), ("10.9.9.9", "http")],
    ids=["trusted-proxy", "untrusted-proxy"],
)
def test_a_real_server_behind_a_prefix_and_tls(
    seeded_db: tuple[str, object], allow: str, scheme: str
) -> None:
    url, _ = seeded_db
    args = ("--root-path", "/facts", "--proxy-headers", "--forwarded-allow-ips", allow)
    with uvicorn_server(url, *args) as base, httpx.Client(base_url=base) as http:
        headers = {"Host": "api.example", "X-Forwarded-Proto": "https"}
        response = http.get("/v1/metrics", params={"limit": 5}, headers=headers)
        next_url = dict((rel, u) for u, rel in LINK.findall(response.headers["link"]))["next"]
        assert next_url.startswith(f"{scheme}://api.example/facts/v1/metrics?"), next_url
        moved = http.get("/v1/metrics/", headers=headers, follow_redirects=False)
        assert moved.status_code == 308 and moved.headers["location"] == "/facts/v1/metrics"
        assert http.get("/docs", headers=headers).text.count("/facts/openapi.json") == 1
