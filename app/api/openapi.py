"""The OpenAPI document: descriptions, problem+json errors, and examples taken from the data."""

from typing import Annotated, Any, cast

import orjson
from fastapi import FastAPI, Request
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import Response

from app.api.datapackage import datapackage
from app.api.embed.oembed import EmbedTarget, build_oembed, title_for
from app.api.errors import PROBLEM_JSON, UNAVAILABLE_DETAIL, problem_body
from app.api.offers import flat_routes
from app.api.responses import envelope
from app.api.routers.meta import describe_dataset
from app.models import PUBLIC_MODELS
from app.store import info, queries
from app.store.migrations import head_revision
from app.store.reader import Reader
from app.store.search import search
from app.store.tables import Document, Entity, Event, Indicator, IndustryChain, Metric
from app.tabular import render_csv

DESCRIPTION = """
Statistical facts from a source document, served exactly. Every metric, event, industry chain
and entity carries `source {document, paragraph, start, end, quote}`: the verbatim quote and its
offsets in Unicode code points into the text at `/v1/documents/{id}/text`, so
`text[start:end] == quote` can be checked by anyone.

**Labels.** Quotes are the source's words. Names and titles are our labels: `zh` in the
source's terms (a qualifier in parentheses, such as `(年内累计)`, tells two series apart), **`en`
our translations**.

**Numbers.** `value` is in base units (yuan, not 亿元; a percent stays 28.1), derived by code
from `as_written`; `qualifier` says whether it is `exact`, `more_than`, `at_least`, `at_most`,
`approximately` or a `range` (then `value_high`). `period` is `null` when the source states none.

**Lists** return `{"items", "total", "limit", "offset"}` (limit 50 by default, 500 at most) with
an RFC 8288 `Link` header (`first`, `prev`, `next`, `last`) and `X-Total-Count`; every list is
also CSV with `?format=csv` or `Accept: text/csv`.

**Caching.** Every 200 has a strong `ETag`; send it back in `If-None-Match` for a `304`.
`Cache-Control: public, max-age=…`; `Vary: Accept, Accept-Encoding`. The data changes only when
it is reseeded, and then `dataset_version` (at `/v1`) changes.

**Embedding.** CORS is open to every origin for GET, HEAD and OPTIONS, without credentials, on
errors too; `ETag`, `Link` and `X-Total-Count` are exposed. Large bodies are gzipped when the
client accepts it.

**Errors** are RFC 9457 `application/problem+json`: `type`, `title`, `status`, `detail`,
`instance`, and `errors` (the invalid parameters) on 422. Unknown ids and paths give 404; any
method other than GET, HEAD and OPTIONS gives 405 with `Allow: GET, HEAD, OPTIONS`.
""".strip()

TAGS = [
    {"name": "dataset", "description": "Version, counts, sources and attribution."},
    {"name": "metrics", "description": "Observations: one number each, with its source."},
    {"name": "indicators", "description": "Series of observations of one concept."},
    {"name": "industry chains", "description": "Systems, groups, industries and clusters."},
    {"name": "timeline", "description": "Dated and datable events."},
    {"name": "entities", "description": "Organisations, people, places and programmes."},
    {"name": "documents", "description": "The sources, paragraph offsets and verbatim text."},
    {"name": "search", "description": "One ranked search across the resources."},
    {"name": "oembed", "description": "oEmbed for the embeddable card and chart pages."},
    {"name": "health", "description": "Liveness and readiness probes."},
]

PREFERRED_METRIC = "gdp-2021-q1-q3"
EXAMPLE_BASE = "http://127.0.0.1:8000"  # the README's server; live answers use the request's
MODELS_BY_NAME: dict[str, type[BaseModel]] = {m.__name__: m for m in PUBLIC_MODELS.values()}


def _page(items: list[Any], total: int) -> Any:
    """The first page of a list holding items, as the list route renders it."""
    texts = [orjson.dumps(item).decode("utf-8") for item in items]
    return orjson.loads(envelope(texts, total, 50, 0))


def _first(db: Reader, model: Any, preferred: str | None = None) -> Any:
    return orjson.loads(queries.first_payload(db, model, preferred) or "null")


def examples(db: Reader) -> dict[str, Any]:
    """An example 200 body per operation id, from the loaded data."""
    counts = info.counts(db)
    metric = _first(db, Metric, PREFERRED_METRIC)
    indicator = _first(db, Indicator, metric["indicator"] if metric else None)
    chain = _first(db, IndustryChain)
    event = _first(db, Event)
    entity = _first(db, Entity, "zhuzhou")
    document = _first(db, Document)
    version = info.dataset_version(db)
    found = search(db, "地区生产总值", 2, 0)
    card = EmbedTarget("metric", metric["id"], "zh", "light")
    return {
        "list_metrics": _page([metric], counts["metrics"]),
        "get_metric": metric,
        "list_indicators": _page([indicator], counts["indicators"]),
        "get_indicator": orjson.loads(queries.indicator_detail(db, indicator["id"]) or "null"),
        "list_industry_chains": _page([chain], counts["industry_chains"]),
        "get_industry_chain": chain,
        "list_events": _page([event], counts["events"]),
        "get_event": event,
        "list_entities": _page([entity], counts["entities"]),
        "get_entity": entity,
        "list_documents": _page([document], counts["documents"]),
        "get_document": document,
        "search": _page(
            [{**hit, "url": EXAMPLE_BASE + hit["url"]} for hit in found.hits], found.total
        ),
        "get_dataset": describe_dataset(db, EXAMPLE_BASE).model_dump(mode="json"),
        "get_datapackage": datapackage(EXAMPLE_BASE, version, info.document_summaries(db)),
        "oembed": build_oembed(card, title=title_for(card, metric), base_url=EXAMPLE_BASE),
        "livez": {"status": "ok"},
        "readyz": {
            "status": "ready",
            "dataset_version": version,
            "schema_revision": head_revision(),
        },
    }


def csv_example(op: dict[str, Any], example: dict[str, Any], schema: dict[str, Any]) -> str:
    """The CSV rendering of a list example, through the same code the route uses."""
    ref = schema["components"]["schemas"][
        op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    ]["properties"]["items"]["items"]["$ref"].rsplit("/", 1)[1]
    model = MODELS_BY_NAME.get(ref)
    if model is None:
        return ""
    payloads = [orjson.dumps(item).decode("utf-8") for item in example["items"]]
    return render_csv(payloads, model).decode("utf-8")


BAD_VALUES = ("nope", "-1", "", "x" * 101, "\x00")  # tried in turn on a route's first parameter
DETAILS = {
    400: "The Host header field is not a host name or address with an optional port "
    "(RFC 3986 §3.2.2).",
    404: "No record with this id.",
    406: "No media type this resource offers is acceptable (Accept, format): application/json, "
    "text/csv.",
    412: "If-Match names no current representation of this resource.",
    503: UNAVAILABLE_DETAIL,
}


def validation_example(route: APIRoute) -> list[dict[str, Any]] | None:
    """The `errors` a real bad value of the route's first query parameter gets, checked by the
    parameter's own declaration (None when the route takes no query parameter)."""
    for field in _query_fields(route.dependant):
        declared = Annotated[field.field_info.annotation, field.field_info]  # type: ignore[name-defined]
        adapter: TypeAdapter[Any] = TypeAdapter(cast(Any, declared))
        for bad in BAD_VALUES:
            try:
                adapter.validate_python(bad)
            except ValidationError as exc:
                e = exc.errors()[0]
                return [{"loc": ["query", field.alias], "msg": e["msg"], "type": e["type"]}]
    return None


def _query_fields(dependant: Dependant) -> list[Any]:
    """The query parameters of a route and of its dependencies, in declaration order."""
    fields = list(dependant.query_params)
    for sub in dependant.dependencies:
        fields += _query_fields(sub)
    return fields


def _problem_example(status: int, path: str, route: APIRoute | None) -> dict[str, Any]:
    errors = validation_example(route) if status == 422 and route is not None else None
    detail = DETAILS.get(status, "…")
    if errors is not None:
        detail = f"Invalid parameter(s): {errors[0]['loc'][1]}."
    return problem_body(status, detail, path, errors)


OPENAPI_URL = "/openapi.json"
# Answered by the edge before any route (app/api/edge.py, app/api/host.py).
BAD_REQUEST = {
    "description": "The Host header field is missing (HTTP/1.1), repeated or not a host with an "
    "optional port (RFC 9112 §3.2, RFC 3986 §3.2.2)."
}


def _served_under(schema: dict[str, Any], root_path: str) -> dict[str, Any]:
    """The document as served behind a path prefix: `servers` names it, after `info`, as
    FastAPI's own route writes it (OpenAPI 3.1 §4.8.5: paths are relative to the server URL)."""
    root = root_path.rstrip("/")
    if not root:
        return schema
    served: dict[str, Any] = {}
    for key, value in schema.items():
        served[key] = value
        if key == "info":
            served["servers"] = [{"url": root}]
    return served


def install_openapi(app: FastAPI) -> None:
    """Replace app.openapi with a builder that adds examples and the problem media type, and
    serve it at OPENAPI_URL (the app is made with `openapi_url=None`: FastAPI's own route
    would build it synchronously on the event loop)."""

    built_for: list[str | None] = []  # the dataset version the examples were read from

    def build() -> dict[str, Any]:
        """The document for the loaded dataset, read synchronously (tools, tests)."""
        state = getattr(app.state, "dataset", None)
        version = info.dataset_version(state.reader) if state is not None else None
        if app.openapi_schema and built_for == [version]:
            return app.openapi_schema
        return build_for(version, examples(state.reader) if state is not None else {})

    async def openapi_json(request: Request) -> Response:
        """GET /openapi.json. Examples are data: rebuilt when the dataset changes, read in the
        request's snapshot (so of the version its ETag names) through `Reader.run`, which on
        PostgreSQL is bounded in time like every read (a 503 rather than a blocked loop)."""
        state = getattr(app.state, "dataset", None)
        version = None if state is None else await state.reader.run(info.dataset_version)
        schema = app.openapi_schema
        if schema is None or built_for != [version]:
            found = {} if state is None else await state.reader.run(examples)
            schema = build_for(version, found)
        return Response(
            orjson.dumps(_served_under(schema, request.scope.get("root_path", ""))),
            media_type="application/json",
        )

    def build_for(version: str | None, found: dict[str, Any]) -> dict[str, Any]:
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        routes = {r.path: r for r in flat_routes(app.routes) if isinstance(r, APIRoute)}
        for path, ops in schema.get("paths", {}).items():
            for op in ops.values():
                responses = op.setdefault("responses", {})
                responses.setdefault("400", BAD_REQUEST)  # the edge's, on every route
                if not any(p["in"] == "query" for p in op.get("parameters", [])):
                    responses.pop("422", None)  # a path id cannot be invalid: unknown is a 404
                content = responses.get("200", {}).get("content", {})
                example = found.get(op.get("operationId", ""))
                if "application/json" in content and example is not None:
                    content["application/json"]["example"] = example
                    if "text/csv" in content and "items" in example:
                        content["text/csv"]["example"] = csv_example(op, example, schema)
                for code, resp in responses.items():
                    if code.isdigit() and int(code) >= 400:
                        content = resp.setdefault("content", {})
                        body = (
                            content.pop("application/json", None) or content.get(PROBLEM_JSON) or {}
                        )
                        body["schema"] = {"$ref": "#/components/schemas/Problem"}
                        body["example"] = _problem_example(int(code), path, routes.get(path))
                        content[PROBLEM_JSON] = body
                if "health" not in op.get("tags", ()):  # probes are never cached
                    responses.setdefault(
                        "304",
                        {
                            "description": "Not Modified: the `If-None-Match` "
                            "ETag still matches; empty body."
                        },
                    )
        app.openapi_schema = schema
        built_for[:] = [version]
        return schema

    app.openapi = build  # type: ignore[method-assign]
    app.add_route(OPENAPI_URL, openapi_json, include_in_schema=False)
