"""The OpenAPI document: descriptions, problem+json errors, and examples taken from the data."""

from typing import Any

import orjson
from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel

from app.api.errors import PROBLEM_JSON, problem_body
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

**Labels.** `zh` labels and quotes are the source's words. **`en` labels are our translations.**

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
    {"name": "health", "description": "Liveness and readiness probes."},
]

PREFERRED_METRIC = "gdp-2021-q1-q3"
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
        "search": _page(found.hits, found.total),
        "get_dataset": describe_dataset(db).model_dump(mode="json"),
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


def _problem_example(status: int, path: str) -> dict[str, Any]:
    errors = None
    if status == 422:
        errors = [
            {
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 500",
                "type": "less_than_equal",
            }
        ]
    return problem_body(status, "…", path, errors)


def install_openapi(app: FastAPI) -> None:
    """Replace app.openapi with a builder that adds examples and the problem media type."""

    def build() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
        )
        state = getattr(app.state, "dataset", None)
        found: dict[str, Any] = {}
        if state is not None:
            found = examples(state.reader)
        for path, ops in schema.get("paths", {}).items():
            for op in ops.values():
                responses = op.setdefault("responses", {})
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
                        body["example"] = _problem_example(int(code), path)
                        content[PROBLEM_JSON] = body
                responses.setdefault(
                    "304",
                    {
                        "description": "Not Modified: the `If-None-Match` "
                        "ETag still matches; empty body."
                    },
                )
        app.openapi_schema = schema
        return schema

    app.openapi = build  # type: ignore[method-assign]
