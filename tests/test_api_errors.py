"""The one error shape: RFC 9457 problems for 404, 405, 422 and 500, never a stack trace."""

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.api_helpers import ALLOW, ORIGIN, assert_problem, serving

UNKNOWN_IDS = [
    "/v1/metrics/gdp-2030",
    "/v1/indicators/no-such-series",
    "/v1/industry-chains/no-such-chain",
    "/v1/timeline/no-such-event",
    "/v1/entities/no-such-entity",
    "/v1/documents/no-such-document",
    "/v1/documents/no-such-document/text",
    "/v1/metrics/%E5%9C%B0%E5%8C%BA",
]


@pytest.mark.parametrize("path", UNKNOWN_IDS)
def test_an_unknown_id_is_a_404_problem(client: TestClient, path: str) -> None:
    response = client.get(path)
    body = assert_problem(response, 404, path)  # the target as received: a URI reference
    assert body["type"] == "urn:zhuzhou-facts:problem:not-found"
    assert "cache-control" in response.headers and "etag" not in response.headers


def test_an_unknown_id_names_itself_in_the_detail(client: TestClient) -> None:
    body = assert_problem(client.get("/v1/metrics/gdp-2030"), 404, "/v1/metrics/gdp-2030")
    assert body["detail"] == "No metric with id 'gdp-2030'."


@pytest.mark.parametrize("path", ["/nope", "/v1/nope", "/v2/metrics", "/v1/metrics/x/y"])
def test_an_unknown_path_is_a_404_problem(client: TestClient, path: str) -> None:
    body = assert_problem(client.get(path), 404, path)
    assert body["detail"] == f"No resource at {path}."


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_a_write_method_is_a_405_problem_with_allow(client: TestClient, method: str) -> None:
    response = client.request(method, "/v1/metrics")
    body = assert_problem(response, 405, "/v1/metrics")
    assert response.headers["allow"] == ALLOW
    assert body["type"] == "urn:zhuzhou-facts:problem:method-not-allowed"
    assert method in body["detail"]


# (path, params, the parameter the problem must name)
BAD_PARAMETERS: list[tuple[str, dict[str, str], str]] = [
    ("/v1/metrics", {"limit": "0"}, "limit"),
    ("/v1/metrics", {"limit": "501"}, "limit"),
    ("/v1/metrics", {"limit": "abc"}, "limit"),
    ("/v1/metrics", {"offset": "-1"}, "offset"),
    ("/v1/metrics", {"offset": "x"}, "offset"),
    ("/v1/metrics", {"offset": "1000001"}, "offset"),
    ("/v1/metrics", {"year": "abc"}, "year"),
    ("/v1/metrics", {"year": "1899"}, "year"),
    ("/v1/metrics", {"from": "2021-13"}, "from"),
    ("/v1/metrics", {"from": "2020-02-30"}, "from"),
    ("/v1/metrics", {"from": "2021-00"}, "from"),
    ("/v1/metrics", {"from": "0000"}, "from"),
    ("/v1/metrics", {"from": "21-01"}, "from"),
    ("/v1/metrics", {"to": "2021-13"}, "to"),
    ("/v1/metrics", {"to": "yesterday"}, "to"),
    ("/v1/metrics", {"from": "2021", "to": "2020"}, "to"),
    ("/v1/metrics", {"from": "2021-06-02", "to": "2021-06-01"}, "to"),
    ("/v1/metrics", {"from": "2021", "to": "2020", "year": "2021"}, "to"),
    ("/v1/metrics", {"kind": "foo"}, "kind"),
    ("/v1/metrics", {"unit": "EUR"}, "unit"),
    ("/v1/metrics", {"category": "x"}, "category"),
    ("/v1/metrics", {"sort": "bogus"}, "sort"),
    ("/v1/metrics", {"format": "xml"}, "format"),
    ("/v1/metrics", {"q": "x" * 101}, "q"),
    ("/v1/metrics", {"q": ""}, "q"),
    ("/v1/indicators", {"category": "x"}, "category"),
    ("/v1/indicators", {"limit": "501"}, "limit"),
    ("/v1/industry-chains", {"kind": "galaxy"}, "kind"),
    ("/v1/industry-chains", {"q": "x" * 101}, "q"),
    ("/v1/timeline", {"from": "2020-02-30"}, "from"),
    ("/v1/timeline", {"from": "2021", "to": "2020"}, "to"),
    ("/v1/timeline", {"offset": "-1"}, "offset"),
    ("/v1/entities", {"type": "planet"}, "type"),
    ("/v1/entities", {"format": "xml"}, "format"),
    ("/v1/documents", {"limit": "0"}, "limit"),
    ("/v1/search", {"q": "株"}, "q"),
    ("/v1/search", {"q": "a"}, "q"),
    ("/v1/search", {"q": " a"}, "q"),
    ("/v1/search", {"q": "株 "}, "q"),
    ("/v1/search", {}, "q"),
    ("/v1/search", {"q": "x" * 101}, "q"),
    ("/v1/search", {"q": "GDP", "limit": "501"}, "limit"),
]


@pytest.mark.parametrize(("path", "params", "name"), BAD_PARAMETERS, ids=lambda v: str(v))
def test_a_bad_parameter_is_a_422_problem_naming_it(
    client: TestClient, path: str, params: dict[str, str], name: str
) -> None:
    response = client.get(path, params=params)
    body = assert_problem(response, 422, path)
    assert body["type"] == "urn:zhuzhou-facts:problem:validation-error"
    assert body["errors"], body
    for error in body["errors"]:
        assert set(error) == {"loc", "msg", "type"}
        assert error["loc"][0] == "query"
    assert name in [e["loc"][-1] for e in body["errors"]], body["errors"]
    assert name in body["detail"]


def test_every_bad_parameter_of_a_request_is_listed(client: TestClient) -> None:
    params = {"limit": "0", "offset": "-1", "kind": "foo", "from": "2021-13"}
    response = client.get("/v1/metrics", params=params)
    body = assert_problem(response, 422, "/v1/metrics")
    assert {e["loc"][-1] for e in body["errors"]} >= {"limit", "offset", "kind"}


def test_a_bad_parameter_is_answered_in_problem_json_even_when_csv_is_asked_for(
    client: TestClient,
) -> None:
    response = client.get("/v1/metrics?limit=0", headers={"Accept": "text/csv"})
    assert_problem(response, 422, "/v1/metrics")


def test_an_unhandled_error_is_a_500_problem_with_cors_and_no_traceback(
    api_settings: Settings,
) -> None:
    app = create_app(api_settings)

    def explode() -> None:
        raise RuntimeError("secret internals: /etc/passwd")

    app.add_api_route("/v1/explode", explode)
    with serving(api_settings, app) as client:
        response = client.get("/v1/explode", headers={"Origin": ORIGIN})
        body = assert_problem(response, 500, "/v1/explode")
        assert body["type"] == "urn:zhuzhou-facts:problem:internal-error"
        assert response.headers["access-control-allow-origin"] == "*"
        assert response.headers["x-content-type-options"] == "nosniff"
        for leak in ("Traceback", "RuntimeError", "secret", "explode()", ".py"):
            assert leak not in response.text
        # The app keeps answering after the failure.
        assert client.get("/livez").status_code == 200


def test_an_unhandled_error_on_head_is_a_bodyless_500(api_settings: Settings) -> None:
    app = create_app(api_settings)

    def explode() -> None:
        raise RuntimeError("boom")

    app.add_api_route("/v1/explode", explode)
    with serving(api_settings, app) as client:
        response = client.head("/v1/explode")
        assert response.status_code == 500
        assert response.headers["content-type"] == "application/problem+json"
        assert response.content == b""


PREFLIGHT = {"Origin": ORIGIN, "Access-Control-Request-Method": "DELETE"}
PROBLEMS = [
    ("GET", "/v1/metrics", {"Host": "a b"}, 400),
    ("GET", "/v1/metrics/gdp-2030", {}, 404),
    ("HEAD", "/v1/metrics/gdp-2030", {}, 404),
    ("GET", "/nope", {}, 404),
    ("OPTIONS", "/nope", {}, 404),
    ("POST", "/v1/metrics", {}, 405),
    ("OPTIONS", "/v1/metrics", PREFLIGHT, 405),
    ("GET", "/v1/metrics", {"Accept": "image/png"}, 406),
    ("GET", "/v1/metrics/gdp-2021-q1-q3", {"If-Match": '"nope"'}, 412),
    ("GET", "/v1/metrics?limit=0", {}, 422),
    ("GET", "/v1/explode", {}, 500),
]


@pytest.mark.parametrize(("method", "url", "headers", "status"), PROBLEMS, ids=str)
def test_a_problem_is_never_stored_by_any_cache(
    failing_client: TestClient, method: str, url: str, headers: dict[str, str], status: int
) -> None:
    for _ in range(2):  # the second is no replay of the first
        response = failing_client.request(method, url, headers=headers)
        assert response.status_code == status
        assert response.headers["cache-control"] == "no-store"
        assert "etag" not in response.headers


def test_the_redirect_of_a_trailing_slash_may_be_stored_but_is_checked_first(
    client: TestClient,
) -> None:
    response = client.get("/v1/metrics/", follow_redirects=False)
    assert response.status_code == 308
    assert response.headers["cache-control"] == "no-cache"
