"""Absolute URLs as the client reaches the API: scheme, host, port and path prefix."""

import pytest

from app.api.urls import absolute, base_url


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
