"""/v1/datapackage.json: a Frictionless Data Package derived from the public models, which the
frictionless library validates against the live server's CSV."""

import csv
import io
from typing import Any

import frictionless
import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.datapackage import TABLES, path_steps, resource_name
from app.api.datapackage_descriptions import FIELDS, RESOURCES
from app.config import Settings
from app.main import create_app
from app.models import PUBLIC_MODELS
from app.tabular import csv_columns, csv_plan
from app.vocabulary import RESOURCE_PATHS, RecordType


@pytest.fixture(scope="module")
def package(client: TestClient) -> dict[str, Any]:
    response = client.get("/v1/datapackage.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


def _resource(package: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in package["resources"] if r["name"] == name)


def test_one_resource_per_list_at_its_csv_endpoint(package: dict[str, Any]) -> None:
    names = [r["name"] for r in package["resources"]]
    assert names == [
        "metrics",
        "indicators",
        "industry-chains",
        "timeline",
        "entities",
        "documents",
    ]
    for record_type in TABLES:
        found = _resource(package, resource_name(record_type))
        # The whole list: no limit (CSV without `limit` is every record).
        assert found["path"] == f"http://testserver{RESOURCE_PATHS[record_type]}?format=csv"
        assert (found["format"], found["mediatype"], found["encoding"]) == (
            "csv",
            "text/csv",
            "utf-8",
        )


def test_urls_are_absolute_behind_a_path_prefix_and_a_tls_proxy(api_settings: Settings) -> None:
    with TestClient(create_app(api_settings), root_path="/facts") as client:
        body = client.get("/v1/datapackage.json", headers={"host": "facts.example"}).json()
    assert body["id"] == "http://facts.example/facts/v1/datapackage.json"
    assert _resource(body, "metrics")["path"].startswith("http://facts.example/facts/v1/metrics?")
    with TestClient(create_app(api_settings), base_url="https://facts.example") as client:
        body = client.get("/v1/datapackage.json").json()
    assert body["sources"][0]["path"].startswith("https://facts.example/v1/documents/")


@pytest.mark.parametrize("record_type", list(TABLES), ids=str)
def test_the_fields_are_the_csv_columns_in_order(
    package: dict[str, Any], record_type: RecordType
) -> None:
    fields = _resource(package, resource_name(record_type))["schema"]["fields"]
    assert [f["name"] for f in fields] == csv_columns(PUBLIC_MODELS[record_type])
    for field in fields:
        assert field["description"] and field["description@zh"], field["name"]
        assert field["type"] in {"string", "integer", "number", "date", "list", "array"}


def test_types_constraints_and_keys_come_from_the_models(package: dict[str, Any]) -> None:
    schema = _resource(package, "metrics")["schema"]
    fields = {f["name"]: f for f in schema["fields"]}
    assert fields["value"]["type"] == "number" and fields["value"]["constraints"]["required"]
    assert fields["value_high"]["type"] == "number" and "constraints" not in fields["value_high"]
    assert fields["start"]["type"] == "integer"
    assert fields["period_end"]["type"] == "date"  # optional: `period` may be null
    assert "required" not in fields["period_end"].get("constraints", {})
    assert fields["unit"]["constraints"]["enum"] == [
        "CNY", "USD", "percent", "count", "day", "km2", "rank", "water_class"
    ]  # fmt: skip
    assert "亿元" in fields["unit"]["description"] and "亿元" in fields["unit"]["description@zh"]
    assert fields["entities"] | {"description": "", "description@zh": ""} == {
        "name": "entities", "type": "list", "delimiter": "|", "itemType": "string",
        "description": "", "description@zh": "",
    }  # fmt: skip
    assert fields["name_en"]["description"].endswith("our translation, not the source's.")
    assert fields["id"]["constraints"] == {"required": True, "unique": True}
    assert schema["primaryKey"] == ["id"]
    assert schema["foreignKeys"] == [
        {"fields": ["document"], "reference": {"resource": "documents", "fields": ["id"]}},
        {"fields": ["indicator"], "reference": {"resource": "indicators", "fields": ["id"]}},
    ]
    chains = _resource(package, "industry-chains")["schema"]["foreignKeys"]
    assert {"fields": ["parent"], "reference": {"resource": "", "fields": ["id"]}} in chains
    documents = {f["name"]: f for f in _resource(package, "documents")["schema"]["fields"]}
    assert documents["sha256"]["constraints"]["pattern"] == "^[0-9a-f]{64}$"
    assert documents["paragraphs"]["type"] == "array"


def test_every_description_is_used() -> None:
    # Every list has its words, and no entry of the table is left over from a removed field.
    assert set(RESOURCES) == {t.value for t in TABLES}
    used = set()
    for record_type in TABLES:
        model = PUBLIC_MODELS[record_type]
        for column in csv_plan(model):
            labelled = path_steps(model, column.path)[-1][0].__name__ in ("Bilingual", "Note")
            key = ".".join(column.path[:-1] if labelled else column.path)
            used.add(
                f"{record_type.value}/{key}" if f"{record_type.value}/{key}" in FIELDS else key
            )
    assert set(FIELDS) == used


def _rows(url: str) -> tuple[int, int]:
    """Rows of a CSV URL, and the list's total (X-Total-Count)."""
    response = httpx.get(url, timeout=30, trust_env=False)
    rows = list(csv.reader(io.StringIO(response.text)))
    return len(rows) - 1, int(response.headers["x-total-count"])


def test_the_live_data_package_validates(live_server: str) -> None:
    url = f"{live_server}/v1/datapackage.json"
    descriptor = httpx.get(url, timeout=10, trust_env=False).json()
    assert descriptor["id"] == url
    report = frictionless.validate(url)
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])
    counts = httpx.get(f"{live_server}/v1", timeout=10, trust_env=False).json()["counts"]
    stats = {task.name: task.stats["rows"] for task in report.tasks}
    assert stats == {
        "metrics": counts["metrics"],
        "indicators": counts["indicators"],
        "industry-chains": counts["industry_chains"],
        "timeline": counts["events"],
        "entities": counts["entities"],
        "documents": counts["documents"],
    }


def test_every_csv_path_serves_the_whole_list(live_server: str) -> None:
    descriptor = httpx.get(f"{live_server}/v1/datapackage.json", timeout=10, trust_env=False)
    for found in descriptor.json()["resources"]:
        rows, total = _rows(found["path"])
        assert rows == total, found["name"]
