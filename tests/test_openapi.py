"""The OpenAPI document validates, and every operation has what a reader needs."""

import importlib
import pkgutil
import re
from typing import Any

import orjson
import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

import app.api.routers
from app.api.errors import PROBLEM_JSON
from app.api.openapi import EXAMPLE_BASE, PREFERRED_METRIC
from app.api.routers.docs import ASSETS
from app.config import Settings
from app.main import app as the_app
from app.main import create_app

PROBLEM_REF = "#/components/schemas/Problem"


def _declared_routes() -> list[APIRoute]:
    """Every route of every module in app/api/routers, and any route declared on the app itself.

    Read from the modules, not from the assembled app, so a router that main.py forgets to
    include shows up as an operation missing from the document.
    """
    routes = [r for r in the_app.routes if isinstance(r, APIRoute)]
    for info in pkgutil.iter_modules(app.api.routers.__path__):
        module = importlib.import_module(f"app.api.routers.{info.name}")
        router = getattr(module, "router", None)
        routes += [r for r in getattr(router, "routes", []) if isinstance(r, APIRoute)]
    return routes


# Every documented operation, one test case each, so a failure names the operation.
OPERATIONS = sorted(
    (method.lower(), route.path)
    for route in _declared_routes()
    if route.include_in_schema
    for method in route.methods or ()
)
OPERATION_IDS = [f"{method.upper()} {path}" for method, path in OPERATIONS]
by_operation = pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=OPERATION_IDS)


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    """The served OpenAPI document, examples included."""
    response = client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    doc: dict[str, Any] = response.json()
    return doc


def _operation(document: dict[str, Any], method: str, path: str) -> dict[str, Any]:
    operation = document["paths"].get(path, {}).get(method)
    assert operation is not None, f"{method.upper()} {path} is not in the OpenAPI document"
    return operation  # type: ignore[no-any-return]


def _conforms(document: dict[str, Any], schema: dict[str, Any], instance: Any) -> list[str]:
    """The messages of every way `instance` breaks `schema` (refs resolved in the document)."""
    validator = OAS31Validator({**schema, "components": document["components"]})
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(instance)]


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    validate(document, cls=OpenAPIV31SpecValidator)


def test_the_app_has_documented_operations_to_check() -> None:
    assert len(OPERATIONS) >= 15
    assert ("get", "/v1/metrics") in OPERATIONS


def test_the_document_has_no_operation_the_app_does_not_route(document: dict[str, Any]) -> None:
    documented = {
        (method, path)
        for path, operations in document["paths"].items()
        for method in operations
        if method != "parameters"
    }
    assert documented == set(OPERATIONS)


def test_operation_ids_are_unique(document: dict[str, Any]) -> None:
    ids = [op.get("operationId") for ops in document["paths"].values() for op in ops.values()]
    assert len(ids) == len(set(ids))


@by_operation
def test_operation_has_a_summary_a_description_and_an_id(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = _operation(document, method, path)
    missing = [
        key for key in ("summary", "description", "operationId") if not operation.get(key, "")
    ]
    assert not missing, f"{method.upper()} {path} lacks {', '.join(missing)}"
    assert operation["summary"] != operation["description"]


@by_operation
def test_every_parameter_has_a_description(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = _operation(document, method, path)
    undescribed = [
        f"{p['in']} parameter {p['name']!r}"
        for p in operation.get("parameters", [])
        if not p.get("description", "").strip()
    ]
    assert not undescribed, f"{method.upper()} {path}: no description for {undescribed}"


@by_operation
def test_the_200_response_has_an_example_that_fits_its_schema(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = _operation(document, method, path)
    content = operation["responses"].get("200", {}).get("content", {})
    assert content, f"{method.upper()} {path} documents no 200 body"
    # The JSON body when there is one; otherwise the one text media type (text/plain, text/csv).
    media_type = "application/json" if "application/json" in content else next(iter(content))
    body = content[media_type]
    assert "example" in body or body.get("examples"), (
        f"{method.upper()} {path}: the 200 {media_type} response has no example"
    )
    if media_type == "application/json" and "example" in body:
        assert body["example"] not in (None, {}, []), f"{method.upper()} {path}: empty example"
        errors = _conforms(document, body["schema"], body["example"])
        assert not errors, f"{method.upper()} {path}: the example breaks the schema: {errors}"


@by_operation
def test_error_responses_are_problem_json(document: dict[str, Any], method: str, path: str) -> None:
    operation = _operation(document, method, path)
    errors = {code: r for code, r in operation["responses"].items() if code[0] in "45"}
    for code, response in errors.items():
        where = f"{method.upper()} {path} {code}"
        assert response.get("description"), f"{where}: no description"
        assert set(response.get("content", {})) == {PROBLEM_JSON}, f"{where}: not {PROBLEM_JSON}"
        body = response["content"][PROBLEM_JSON]
        assert body.get("schema") == {"$ref": PROBLEM_REF}, f"{where}: not the Problem schema"
        assert body.get("example", {}).get("status") == int(code), f"{where}: no fitting example"
        assert not _conforms(document, body["schema"], body["example"]), where


@by_operation
def test_parameters_come_with_a_documented_422_and_path_ids_with_a_404(
    document: dict[str, Any], method: str, path: str
) -> None:
    operation = _operation(document, method, path)
    places = {p["in"] for p in operation.get("parameters", [])}
    documented = set(operation["responses"])
    if "query" in places:
        assert "422" in documented, f"{method.upper()} {path} takes parameters but has no 422"
    else:
        assert "422" not in documented, f"{method.upper()} {path} has nothing to be invalid"
    if "path" in places:
        assert "404" in documented, f"{method.upper()} {path} takes an id but has no 404"


def test_the_problem_schema_names_the_rfc_9457_members(document: dict[str, Any]) -> None:
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "instance"} <= set(problem["required"])
    assert "errors" in problem["properties"]


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_page_is_html_that_loads_only_this_server(client: TestClient, page: str) -> None:
    response = client.get(page)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    html = response.text
    assert re.findall(r"(?:https?:)?//[\w.-]+", html) == []  # no CDN, no absolute URL at all
    assert "'/openapi.json'" in html or '"/openapi.json"' in html
    referenced = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert referenced, "the page loads no assets?"
    for url in referenced:
        assert url.startswith("/docs-assets/"), url
        assert client.get(url).status_code == 200, url
    policy = response.headers["content-security-policy"]
    assert "default-src 'self'" in policy
    assert "img-src 'self' data:" in policy


@pytest.mark.parametrize(("name", "media_type"), sorted(ASSETS.items()))
def test_docs_asset_is_served_with_its_content_type(
    client: TestClient, name: str, media_type: str
) -> None:
    response = client.get(f"/docs-assets/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert len(response.content) > 1000


def test_the_swagger_ui_bundle_is_version_5_which_renders_openapi_3_1(client: TestClient) -> None:
    bundle = client.get("/docs-assets/swagger-ui-bundle.js").text
    # Swagger UI 4 (PyPI's swagger-ui-bundle) shows "Unable to render this definition" for 3.1.
    assert "oas31" in bundle


def test_an_unknown_docs_asset_is_a_problem_404(client: TestClient) -> None:
    response = client.get("/docs-assets/../../app/config.py")
    assert response.status_code == 404
    response = client.get("/docs-assets/swagger-ui-bundle.js.map")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON


# The operations that answer one record (or a health probe), and the URL of the example's own.
SINGLE: dict[str, str] = {
    "get_metric": "/v1/metrics/{id}",
    "get_indicator": "/v1/indicators/{id}",
    "get_industry_chain": "/v1/industry-chains/{id}",
    "get_event": "/v1/timeline/{id}",
    "get_entity": "/v1/entities/{id}",
    "get_document": "/v1/documents/{id}",
    "get_dataset": "/v1",
    "livez": "/livez",
    "readyz": "/readyz",
}


# The operations whose answer holds absolute URLs: their examples say the service is at
# EXAMPLE_BASE (app/api/openapi.py), and are checked against the app reached there.
ABSOLUTE: dict[str, str] = {
    "get_datapackage": "/v1/datapackage.json",
    "oembed": f"/oembed?url={EXAMPLE_BASE}/embed/metrics/{{id}}&format=json",
}


def test_every_single_record_operation_is_checked_below(document: dict[str, Any]) -> None:
    ids = {
        op["operationId"]
        for ops in document["paths"].values()
        for op in ops.values()
        if "application/json" in op["responses"].get("200", {}).get("content", {})
        and not op["operationId"].startswith(("list_", "search"))
    }
    assert ids == set(SINGLE) | set(ABSOLUTE)


@pytest.mark.parametrize(("operation_id", "url"), ABSOLUTE.items())
def test_the_example_with_absolute_urls_is_what_the_app_answers_there(
    api_settings: Settings, document: dict[str, Any], operation_id: str, url: str
) -> None:
    op = next(
        op
        for ops in document["paths"].values()
        for op in ops.values()
        if op["operationId"] == operation_id
    )
    example = op["responses"]["200"]["content"]["application/json"]["example"]
    with TestClient(create_app(api_settings), base_url=EXAMPLE_BASE) as there:
        live = there.get(url.format(id=PREFERRED_METRIC))
    assert live.status_code == 200
    assert example == live.json()


@pytest.mark.parametrize(("operation_id", "url"), SINGLE.items())
def test_the_example_of_a_single_record_is_what_the_live_app_answers(
    client: TestClient, document: dict[str, Any], operation_id: str, url: str
) -> None:
    op = next(
        op
        for ops in document["paths"].values()
        for op in ops.values()
        if op["operationId"] == operation_id
    )
    example = op["responses"]["200"]["content"]["application/json"]["example"]
    live = client.get(url.format(id=example.get("id")))
    assert live.status_code == 200
    # Links are absolute against the request; the example's are against the README's server.
    assert (
        orjson.loads(orjson.dumps(example).replace(b"http://127.0.0.1:8000", b"http://testserver"))
        == live.json()
    )


# A record of each kind, for the path parameters of the operations below.
PATH_IDS = {
    "metric_id": PREFERRED_METRIC,
    "indicator_id": "gdp",
    "chain_id": "rail-transit-equipment-cluster",
    "event_id": "great-wall-computer-settles-in-zhuzhou",
    "entity_id": "zhuzhou",
    "document_id": "zhuzhou-2021-11-09",
}
# Required query parameters, where an operation has them.
QUERIES = {
    "/v1/search": "?q=GDP",
    "/oembed": f"?url=http://testserver/embed/metrics/{PREFERRED_METRIC}",
}
# Requests that draw the answers a client meets besides the 200: a revalidation, a failed
# precondition, an Accept nothing satisfies, an invalid page size.
PROBES: dict[str, tuple[dict[str, str], str]] = {
    "plain": ({}, ""),
    "if-match": ({"If-Match": '"nope"'}, ""),
    "accept": ({"Accept": "image/png"}, ""),
    "limit": ({}, "limit=0"),
    "host": ({"Host": "a b"}, ""),
}


@by_operation
def test_every_status_the_route_answers_is_documented(
    client: TestClient, document: dict[str, Any], method: str, path: str
) -> None:
    documented = set(_operation(document, method, path)["responses"])
    url = path.format(**PATH_IDS) + QUERIES.get(path, "")
    seen: dict[str, int] = {}
    for name, (headers, query) in PROBES.items():
        target = url + (("&" if "?" in url else "?") + query if query else "")
        response = client.request(method.upper(), target, headers=headers)
        seen[name] = response.status_code
        if name == "plain" and "etag" in response.headers:
            again = client.request(
                method.upper(), url, headers={"If-None-Match": response.headers["etag"]}
            )
            seen["if-none-match"] = again.status_code
    assert seen["plain"] == 200
    assert {str(s) for s in seen.values()} <= documented, seen


def _keys(node: Any) -> set[str]:
    if isinstance(node, dict):
        return set(node) | {k for v in node.values() for k in _keys(v)}
    if isinstance(node, list):
        return {k for v in node for k in _keys(v)}
    return set()


def test_bounds_are_json_schema_keywords(document: dict[str, Any]) -> None:
    """Pydantic's constraint names are not JSON Schema: a client generator ignores them."""
    parameters = [
        p
        for ops in document["paths"].values()
        for op in ops.values()
        for p in op.get("parameters", [])
    ]
    assert not _keys(document) & {"ge", "le", "gt", "lt", "min_length", "max_length"}
    bounds = {
        p["name"]: next(
            (s["minimum"], s["maximum"])
            for s in [p["schema"], *p["schema"].get("anyOf", [])]
            if "minimum" in s
        )
        for p in parameters
        if p["name"] in ("limit", "offset", "year")
    }
    assert bounds == {"limit": (1, 500), "offset": (0, 1_000_000), "year": (1900, 2100)}
