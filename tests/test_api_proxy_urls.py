"""URLs the API writes are right behind a path prefix and a TLS-terminating proxy, whether the
prefix comes from ROOT_PATH or from the server's root_path, and whatever the proxy strips."""

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.types import ASGIApp, Receive, Scope, Send

from app.config import Settings
from app.main import create_app
from tests.api_helpers import assert_problem
from tests.live import serving, uvicorn_server

BASE = "https://api.example/facts"
LINK = re.compile(r'<([^>]*)>;\s*rel="([a-z]+)"')


class UvicornRootPath:
    """What `uvicorn --root-path /facts` hands the app: the prefix in `root_path` and at the
    start of `path` and `raw_path` (a proxy stripped it from the request)."""

    def __init__(self, app: ASGIApp, root: str) -> None:
        self.app, self.root = app, root

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw = self.root.encode() + scope["raw_path"]
            scope = {**scope, "root_path": self.root, "path": self.root + scope["path"]}
            scope["raw_path"] = raw
        await self.app(scope, receive, send)


class Behind:
    """A client that sends what the proxy forwards: `sent` is the prefix still on the path."""

    def __init__(self, client: TestClient, sent: str) -> None:
        self.client, self.sent = client, sent

    def get(self, target: str, **kwargs: object) -> httpx.Response:
        return self.client.get(self.sent + target, **kwargs)  # type: ignore[arg-type]


Way = Callable[[Settings], AbstractContextManager[Behind]]


def _way(setting: bool, server: str | None, sent: str) -> Way:
    @contextmanager
    def start(settings: Settings) -> Iterator[Behind]:
        app = create_app(settings.model_copy(update={"root_path": "/facts" if setting else ""}))
        asgi: ASGIApp = UvicornRootPath(app, "/facts") if server == "uvicorn" else app
        root = "/facts" if server == "testclient" else ""  # root_path only, path without it
        with TestClient(asgi, base_url="https://api.example", root_path=root) as client:
            yield Behind(client, sent)

    return start


WAYS = {
    "ROOT_PATH, proxy strips the prefix": _way(True, None, ""),
    "ROOT_PATH, prefix kept (no proxy)": _way(True, None, "/facts"),
    "uvicorn --root-path": _way(False, "uvicorn", ""),
    "ROOT_PATH and uvicorn --root-path": _way(True, "uvicorn", ""),
    "server root_path without it in path": _way(False, "testclient", ""),
}


@pytest.fixture(scope="module", params=list(WAYS.values()), ids=list(WAYS))
def way(request: pytest.FixtureRequest) -> Way:
    """One way of putting the API under /facts."""
    start: Way = request.param
    return start


@pytest.fixture(scope="module")
def behind(way: Way, api_settings: Settings) -> Iterator[Behind]:
    """The app as a proxy at https://api.example/facts/ presents it."""
    with way(api_settings) as client:
        yield client


def test_link_targets_are_absolute_with_scheme_host_and_prefix(behind: Behind) -> None:
    response = behind.get("/v1/metrics", params={"limit": 10, "offset": 10})
    links = {rel: url for url, rel in LINK.findall(response.headers["link"])}
    assert set(links) == {"first", "prev", "next", "last"}
    for url in links.values():
        assert url.startswith(f"{BASE}/v1/metrics?"), url
    # requests' r.links["next"]["url"] works as is: the next page is where it says.
    following = behind.get(links["next"].removeprefix(BASE))
    assert following.json()["offset"] == 20


def test_urls_in_bodies_carry_the_prefix(behind: Behind) -> None:
    hits = behind.get("/v1/search", params={"q": "GDP"}).json()["items"]
    assert hits and all(h["url"].startswith(f"{BASE}/v1/") for h in hits)
    resources = behind.get("/v1").json()["resources"]
    assert resources["metrics"] == f"{BASE}/v1/metrics"
    assert resources["docs"] == f"{BASE}/docs"
    assert behind.get(hits[0]["url"].removeprefix(BASE)).status_code == 200


def test_the_docs_load_their_document_and_assets_root_relative(behind: Behind) -> None:
    page = behind.get("/docs").text
    assert "'/facts/openapi.json'" in page or '"/facts/openapi.json"' in page
    assert '"/facts/docs-assets/swagger-ui-bundle.js"' in page
    assert "api.example" not in page  # root-relative: right whatever scheme the proxy speaks
    assert behind.get("/openapi.json").json()["servers"] == [{"url": "/facts"}]


@pytest.mark.parametrize("probe", ["/livez", "/readyz"])
def test_the_probes_are_never_stored_under_the_prefix(behind: Behind, probe: str) -> None:
    for _ in range(2):  # the second would be a replay if the first had been remembered
        response = behind.get(probe)
        assert response.status_code == 200
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


@pytest.mark.parametrize(
    ("target", "location"),
    [
        ("/v1/metrics/", "/facts/v1/metrics"),
        ("/v1/metrics/?limit=1", "/facts/v1/metrics?limit=1"),
        ("/v1/metrics/gdp-2021-q1-q3/", "/facts/v1/metrics/gdp-2021-q1-q3"),
    ],
)
def test_a_trailing_slash_redirects_relatively(behind: Behind, target: str, location: str) -> None:
    response = behind.get(target, follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["location"] == location  # no scheme or host to get wrong


def test_a_trailing_slash_on_nothing_is_a_404(behind: Behind) -> None:
    assert_problem(behind.get("/v1/nope/", follow_redirects=False), 404, "/facts/v1/nope/")


@pytest.mark.parametrize(
    ("target", "status", "instance"),
    [
        ("/v1/metrics/no-such-metric", 404, "/facts/v1/metrics/no-such-metric"),
        ("/v1/nothing%20here", 404, "/facts/v1/nothing%20here"),
        ("/v1/metrics?limit=0", 422, "/facts/v1/metrics"),
        ("/v1/metrics?format=csv", 200, None),
        ("/v1", 200, None),
    ],
)
def test_problem_instances_carry_the_prefix(
    behind: Behind, target: str, status: int, instance: str | None
) -> None:
    response = behind.get(target, headers={"Accept": "application/json"})
    if instance is None:
        assert response.status_code == status
    else:
        assert_problem(response, status, instance)


def test_a_406_names_the_prefixed_instance(behind: Behind) -> None:
    assert_problem(behind.get("/v1", headers={"Accept": "text/html"}), 406, "/facts/v1")


def test_a_damaged_dataset_is_a_503_under_the_prefix_and_never_a_replayed_200(
    way: Way, api_settings: Settings, tmp_path: Path
) -> None:
    copy = tmp_path / "facts.sqlite3"
    shutil.copyfile(api_settings.database_url.removeprefix("sqlite:///"), copy)
    settings = api_settings.model_copy(update={"database_url": f"sqlite:///{copy}"})
    with way(settings) as behind:
        for _ in range(2):
            assert behind.get("/readyz").status_code == 200
            assert behind.get("/v1/metrics").status_code == 200
        size = copy.stat().st_size
        with copy.open("r+b") as f:  # past the header: the version may still read, pages not
            f.seek(size // 2)
            f.write(bytes(range(256)) * ((size - size // 2) // 256))
        assert_problem(behind.get("/readyz"), 503, "/facts/readyz")
        copy.unlink()
        assert_problem(behind.get("/readyz"), 503, "/facts/readyz")
        assert_problem(behind.get("/v1/metrics?limit=1"), 503, "/facts/v1/metrics")


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


@pytest.mark.parametrize("sent", ["", "/facts"], ids=["proxy-strips", "no-proxy"])
def test_the_serve_command_with_root_path_set(
    tmp_path: Path, api_settings: Settings, sent: str
) -> None:
    with (
        serving(
            tmp_path, DATABASE_URL=api_settings.database_url, AUTO_SEED="false", ROOT_PATH="/facts"
        ) as live,
        httpx.Client(base_url=live.base + sent) as http,
    ):
        for probe in ("/readyz", "/livez"):
            response = http.get(probe)
            assert response.status_code == 200
            assert (response.headers["cache-control"], response.headers.get("etag")) == (
                "no-store",
                None,
            )
        listed = http.get("/v1/metrics", params={"limit": 5})
        next_url = dict((rel, u) for u, rel in LINK.findall(listed.headers["link"]))["next"]
        assert next_url.startswith(f"{live.base}/facts/v1/metrics?"), next_url
        moved = http.get("/v1/metrics/", params={"limit": 1}, follow_redirects=False)
        assert moved.headers["location"] == "/facts/v1/metrics?limit=1"
        assert http.get("/v1/nope").json()["instance"] == "/facts/v1/nope"
