"""/docs and /redoc render in Debian's headless Chromium, with no network but the server."""

import contextlib
import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import PROJECT_ROOT
from app.dataset.load import SeedResult
from tests.conftest import require_service

pytestmark = pytest.mark.browser

CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # No network: every name but 127.0.0.1 fails to resolve, and anything that would still go
    # out goes to a proxy on the discard port, which refuses.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1",
    "--virtual-time-budget=15000",
]
CHROMIUM_TIMEOUT = 120
SERVER_START_TIMEOUT = 30


@dataclass(frozen=True)
class Rendered:
    """A page as Chromium left it, and every URL the page asked for."""

    dom: str
    requested: set[str]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stop(process: subprocess.Popen[bytes]) -> None:
    """End a process group this module started: politely, then for sure."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    # Chromium's helpers share the group; none may outlive the test.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def chromium() -> str:
    """Debian's chromium binary."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        require_service("chromium not installed (Debian: apt-get install chromium)")
    assert found is not None
    return found


@pytest.fixture(scope="module")
def server(
    seeded_db: tuple[str, SeedResult], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A real uvicorn on 127.0.0.1 over a copy of the seeded database; its base URL."""
    url, _ = seeded_db
    folder = tmp_path_factory.mktemp("docs-server")
    database = folder / "facts.sqlite3"
    shutil.copyfile(url.removeprefix("sqlite:///"), database)
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{database}", "AUTO_SEED": "false"}
    log_path = folder / "uvicorn.log"
    command = [sys.executable, "-m", "uvicorn", "app.main:app", "--no-access-log"]
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [*command, "--host", "127.0.0.1", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        with httpx.Client(base_url=base, trust_env=False, timeout=2) as http:
            while True:
                if process.poll() is not None:
                    pytest.fail(
                        f"uvicorn exited with {process.returncode}:\n{log_path.read_text()}"
                    )
                try:
                    if http.get("/livez").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"uvicorn did not answer /livez:\n{log_path.read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        _stop(process)


def _requests_of(net_log: Path, origin: str) -> set[str]:
    """The URLs that pages of `origin` asked for, from Chromium's network log.

    Chromium's own background requests (which the flags above make fail) are not the page's:
    only the requests whose initiator is the page's origin count (its scripts, styles, images,
    workers and fetches; the navigation to the page itself is not among them).
    """
    events: list[dict[str, Any]] = json.loads(net_log.read_text())["events"]
    urls = set()
    for event in events:
        params = event.get("params", {})
        if "url" in params and params.get("initiator") == origin:
            urls.add(params["url"])
    return urls


def _render(chromium: str, url: str, folder: Path, *extra: str) -> Rendered:
    """Load `url` in a fresh headless Chromium and return the DOM after scripts ran."""
    net_log = folder / "net-log.json"
    command = [
        chromium,
        *CHROMIUM_FLAGS,
        f"--user-data-dir={folder / 'profile'}",
        f"--log-net-log={net_log}",
        *extra,
        url,
    ]
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        out, err = process.communicate(timeout=CHROMIUM_TIMEOUT)
    except subprocess.TimeoutExpired:
        _stop(process)
        out, err = process.communicate()
        pytest.fail(f"chromium took over {CHROMIUM_TIMEOUT}s on {url}: {err.decode()[-2000:]}")
    finally:
        _stop(process)
    assert process.returncode == 0, f"chromium failed on {url}: {err.decode()[-2000:]}"
    origin = re.match(r"https?://[^/]+", url)
    assert origin is not None
    return Rendered(out.decode("utf-8"), _requests_of(net_log, origin.group(0)))


def _operations(base: str) -> list[tuple[str, str, str]]:
    """(method, path, summary) of every operation in the served document."""
    with httpx.Client(base_url=base, trust_env=False, timeout=10) as http:
        document = http.get("/openapi.json").json()
    return [
        (method, path, op["summary"])
        for path, ops in document["paths"].items()
        for method, op in ops.items()
    ]


@pytest.fixture(scope="module")
def swagger_ui(chromium: str, server: str, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """/docs after Swagger UI rendered it."""
    return _render(chromium, f"{server}/docs", tmp_path_factory.mktemp("swagger"), "--dump-dom")


@pytest.fixture(scope="module")
def redoc(chromium: str, server: str, tmp_path_factory: pytest.TempPathFactory) -> Rendered:
    """/redoc after ReDoc rendered it."""
    return _render(chromium, f"{server}/redoc", tmp_path_factory.mktemp("redoc"), "--dump-dom")


def test_swagger_ui_lists_every_operation(swagger_ui: Rendered, server: str) -> None:
    dom = swagger_ui.dom
    assert "Unable to render this definition" not in dom
    assert "Failed to load API definition" not in dom
    blocks = re.findall(r'class="opblock opblock-(\w+)', dom)
    operations = _operations(server)
    assert len(blocks) == len(operations)
    rendered_paths = set(re.findall(r'class="opblock-summary-path" data-path="([^"]+)"', dom))
    for method, path, _ in operations:
        assert method == "get"
        assert path in rendered_paths, f"Swagger UI shows no block for {path}"
    assert {"/v1/metrics", "/v1/timeline", "/v1/search"} <= rendered_paths


def test_swagger_ui_shows_the_api_title_and_version(swagger_ui: Rendered) -> None:
    assert "Zhuzhou facts API" in swagger_ui.dom
    assert "OAS 3.1" in swagger_ui.dom


def test_redoc_shows_every_operation_summary(redoc: Rendered, server: str) -> None:
    dom = redoc.dom
    assert "Something went wrong" not in dom
    headings = {
        html.unescape(re.sub(r"<[^>]+>", "", inner)).strip()
        for inner in re.findall(r"<h2[^>]*>(.*?)</h2>", dom, flags=re.S)
    }
    for _, path, summary in _operations(server):
        assert summary in headings, f"ReDoc shows no heading for {path} ({summary!r})"
    assert {"List observations", "List events in date order", "Search everything"} <= headings


@pytest.mark.parametrize("page", ["swagger_ui", "redoc"])
def test_the_page_asks_for_nothing_but_this_server(
    page: str, request: pytest.FixtureRequest, server: str
) -> None:
    rendered: Rendered = request.getfixturevalue(page)
    assert f"{server}/openapi.json" in rendered.requested  # the log did record the page's loads
    assert any("/docs-assets/" in url for url in rendered.requested)
    elsewhere = sorted(url for url in rendered.requested if not url.startswith(f"{server}/"))
    assert elsewhere == []
    loaded = re.findall(r'<(?:script|img|link|iframe)\b[^>]*\b(?:src|href)="([^"]+)"', rendered.dom)
    assert [u for u in loaded if re.match(r"(?:https?:)?//", u) and server not in u] == []


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_served_page_references_no_other_host(server: str, page: str) -> None:
    with httpx.Client(base_url=server, trust_env=False, timeout=10) as http:
        response = http.get(page)
    assert response.status_code == 200
    hosts = re.findall(r"(?:https?:)?//([\w.:-]+)", response.text)
    assert [h for h in hosts if not h.startswith("127.0.0.1")] == []
    assert "default-src 'self'" in response.headers["content-security-policy"]
