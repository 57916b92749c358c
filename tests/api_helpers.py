"""Helpers shared by the HTTP tests: example URLs, problem checks, Link walking, data lookups."""

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from http import HTTPStatus
from pathlib import Path
from typing import Any, TypeVar

import httpx2
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.dataset.build import BuiltDataset
from app.main import create_app

M = TypeVar("M", bound=SQLModel)

PROBLEM_JSON = "application/problem+json"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
ALLOW = "GET, HEAD, OPTIONS"
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
ORIGIN = "https://dashboard.example"

GDP_Q1_Q3 = "gdp-2021-q1-q3"
DOCUMENT = "zhuzhou-2021-11-09"

# One concrete URL per route of the OpenAPI document (tests check this table is complete).
EXAMPLE_URLS: dict[str, str] = {
    "/v1": "/v1",
    "/v1/metrics": "/v1/metrics",
    "/v1/metrics/{metric_id}": f"/v1/metrics/{GDP_Q1_Q3}",
    "/v1/indicators": "/v1/indicators",
    "/v1/indicators/{indicator_id}": "/v1/indicators/gdp",
    "/v1/industry-chains": "/v1/industry-chains",
    "/v1/industry-chains/{chain_id}": "/v1/industry-chains/rail-transit-equipment-cluster",
    "/v1/timeline": "/v1/timeline",
    "/v1/timeline/{event_id}": "/v1/timeline/rail-cluster-national-advanced-manufacturing-cluster",
    "/v1/entities": "/v1/entities",
    "/v1/entities/{entity_id}": "/v1/entities/crrc-zhuzhou-locomotive",
    "/v1/documents": "/v1/documents",
    "/v1/documents/{document_id}": f"/v1/documents/{DOCUMENT}",
    "/v1/documents/{document_id}/text": f"/v1/documents/{DOCUMENT}/text",
    "/v1/search": "/v1/search?q=GDP",
    "/v1/datapackage.json": "/v1/datapackage.json",
    "/oembed": f"/oembed?url=http://testserver/embed/metrics/{GDP_Q1_Q3}",
    "/livez": "/livez",
    "/readyz": "/readyz",
}
HEALTH_URLS = {"/livez", "/readyz"}
DATA_URLS = [url for url in EXAMPLE_URLS.values() if url not in HEALTH_URLS]

# The list routes, with the path of one record for each (by its id).
LIST_ROUTES: dict[str, str] = {
    "/v1/metrics": "/v1/metrics/",
    "/v1/indicators": "/v1/indicators/",
    "/v1/industry-chains": "/v1/industry-chains/",
    "/v1/timeline": "/v1/timeline/",
    "/v1/entities": "/v1/entities/",
    "/v1/documents": "/v1/documents/",
}

LINK_PART = re.compile(r'<([^>]*)>;\s*rel="([a-z]+)"')
ETAG = re.compile(r'^"[0-9a-f]{32}"$')


def rows(built: BuiltDataset, model: type[M]) -> list[M]:
    """The built rows of one table."""
    return [r for r in built.rows if isinstance(r, model)]


def links(response: httpx2.Response) -> dict[str, str]:
    """The Link header as {rel: url}."""
    return {rel: url for url, rel in LINK_PART.findall(response.headers.get("link", ""))}


def fetch_all(client: TestClient, path: str, **params: str | int) -> list[dict[str, Any]]:
    """Every item of a list (one page of 500, the maximum, holds this dataset)."""
    response = client.get(path, params={**params, "limit": 500})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == body["total"], f"{path}: more than one page"
    items: list[dict[str, Any]] = body["items"]
    return items


def ids(items: list[dict[str, Any]]) -> list[str]:
    """The ids of items, in order."""
    return [str(item["id"]) for item in items]


def assert_problem(response: httpx2.Response, status: int, instance: str) -> dict[str, Any]:
    """Check the RFC 9457 shape of an error response and return its body."""
    # Plain asserts here are not rewritten by pytest, so each says what it saw.
    assert response.status_code == status, f"status {response.status_code}: {response.text}"
    content_type = response.headers.get("content-type")
    assert content_type == PROBLEM_JSON, f"content-type {content_type!r}: {response.text}"
    body: dict[str, Any] = response.json()
    expected_keys = PROBLEM_KEYS | ({"errors"} if status == 422 else set())
    assert set(body) == expected_keys, f"keys {sorted(body)}, expected {sorted(expected_keys)}"
    assert body["status"] == status, f"body status {body['status']}"
    assert body["title"] == HTTPStatus(status).phrase, f"title {body['title']!r}"
    assert body["instance"] == instance, f"instance {body['instance']!r}, expected {instance!r}"
    assert re.fullmatch(r"urn:zhuzhou-facts:problem:[a-z0-9-]+", body["type"]), body["type"]
    assert isinstance(body["detail"], str) and body["detail"], f"detail {body['detail']!r}"
    assert "Traceback" not in response.text, response.text
    return body


def day(value: str | None) -> date | None:
    """An ISO date or None."""
    return date.fromisoformat(value) if value else None


def overlaps(span: dict[str, Any] | None, lo: date | None, hi: date | None) -> bool:
    """The documented overlap rule: undated never matches; an open start counts as its end."""
    if span is None or span["end"] is None:
        return False
    end = date.fromisoformat(span["end"])
    start = day(span["start"]) or end
    return (lo is None or end >= lo) and (hi is None or start <= hi)


def contains(needle: str, *haystacks: str | None) -> bool:
    """Case-insensitive substring test, as the API's text filters promise."""
    folded = needle.casefold()
    return any(folded in h.casefold() for h in haystacks if h)


def file_digest(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextmanager
def serving(settings: Settings, app: FastAPI | None = None) -> Iterator[TestClient]:
    """A TestClient over a fresh app (lifespan included) with its own settings."""
    with TestClient(app or create_app(settings)) as test_client:
        yield test_client


L = TypeVar("L")


def layer(client: TestClient, kind: type[L]) -> L:
    """The layer of that kind in front of a test client's app."""
    found: Any = client.app.front  # type: ignore[attr-defined]
    while not isinstance(found, kind):
        found = found.app
    return found
