"""Absolute URLs as the client reaches the API: scheme, host, port and path prefix."""

import pytest

from app.api.urls import absolute, base_url, request_url, route_path, under_prefix


def _scope(
    scheme: str = "http",
    host: bytes | None = b"api.example",
    root_path: str = "",
    server: tuple[str, int | None] = ("127.0.0.1", 8000),
) -> dict[str, object]:
    headers = [(b"host", host)] if host is not None else []
    return {"scheme": scheme, "headers": headers, "root_path": root_path, "server": server}


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        (_scope(), "http://api.example"),
        (_scope(scheme="https"), "https://api.example"),
        (_scope(host=b"api.example:8443", scheme="https"), "https://api.example:8443"),
        (_scope(root_path="/facts"), "http://api.example/facts"),
        (_scope(root_path="/facts/"), "http://api.example/facts"),
        (_scope(host=None), "http://127.0.0.1:8000"),
        (_scope(host=None, server=("10.0.0.1", 80)), "http://10.0.0.1"),
        (_scope(host=None, scheme="https", server=("10.0.0.1", 443)), "https://10.0.0.1"),
    ],
)
def test_the_base_url_is_what_the_client_used(scope: dict[str, object], expected: str) -> None:
    assert base_url(scope) == expected


def test_an_absolute_url_keeps_the_prefix() -> None:
    scope = _scope(scheme="https", root_path="/facts")
    assert absolute(scope, "/v1/metrics/gdp") == "https://api.example/facts/v1/metrics/gdp"


def test_an_ipv6_server_address_is_bracketed_when_there_is_no_host() -> None:
    scope = _scope(host=None, server=("::1", 8000))
    assert base_url(scope) == "http://[::1]:8000"


# (setting, server's root_path, path, raw_path) → (root_path, path, raw_path)
PREFIX_CASES = [
    ("", "", "/v1/metrics", b"/v1/metrics", ("", "/v1/metrics", b"/v1/metrics")),
    (
        "/facts",
        "",
        "/v1/metrics",
        b"/v1/metrics",
        ("/facts", "/facts/v1/metrics", b"/facts/v1/metrics"),
    ),
    (
        "/facts",
        "",
        "/facts/v1/metrics",
        b"/facts/v1/metrics",
        ("/facts", "/facts/v1/metrics", b"/facts/v1/metrics"),
    ),
    ("/facts", "/facts", "/facts/v1", b"/facts/v1", ("/facts", "/facts/v1", b"/facts/v1")),
    ("", "/facts", "/facts/v1", b"/facts/v1", ("/facts", "/facts/v1", b"/facts/v1")),
    ("", "/facts", "/v1", b"/v1", ("/facts", "/facts/v1", b"/facts/v1")),
    ("", "/facts/", "/facts/v1", b"/facts/v1", ("/facts", "/facts/v1", b"/facts/v1")),
    (
        "/facts",
        "/other",
        "/other/v1",
        b"/other/v1",
        ("/facts", "/facts/other/v1", b"/facts/other/v1"),
    ),
    (
        "/facts",
        "",
        "/factsheet",
        b"/factsheet",
        ("/facts", "/facts/factsheet", b"/facts/factsheet"),
    ),
    ("/facts", "", "/facts", b"/facts", ("/facts", "/facts", b"/facts")),
    ("/facts", "", "/a b", b"/a%20b", ("/facts", "/facts/a b", b"/facts/a%20b")),
]


@pytest.mark.parametrize(
    ("setting", "server_root", "path", "raw", "expected"), PREFIX_CASES, ids=str
)
def test_every_request_is_put_under_one_prefix_never_twice(
    setting: str, server_root: str, path: str, raw: bytes, expected: tuple[str, str, bytes]
) -> None:
    scope = {"type": "http", "path": path, "raw_path": raw, "root_path": server_root}
    found = under_prefix(scope, setting)
    assert (found["root_path"], found["path"], found["raw_path"]) == expected


@pytest.mark.parametrize(
    ("root_path", "path", "below"),
    [
        ("", "/readyz", "/readyz"),
        ("/facts", "/facts/readyz", "/readyz"),
        ("/facts", "/facts", ""),
        ("/facts", "/factsheet", "/factsheet"),  # not below the prefix: as it is
    ],
)
def test_the_route_path_is_the_path_below_the_prefix(root_path: str, path: str, below: str) -> None:
    assert route_path({"path": path, "root_path": root_path}) == below


def test_a_request_url_keeps_the_prefix_and_takes_the_query() -> None:
    scope = {**_scope(scheme="https", root_path="/facts"), "path": "/facts/v1/metrics"}
    assert request_url(scope, "limit=1") == "https://api.example/facts/v1/metrics?limit=1"
    assert request_url(scope, "") == "https://api.example/facts/v1/metrics"
