"""GET /v1: version, counts, documents, attribution and the resources it names."""

from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.dataset.load import SeedResult
from tests.api_helpers import (
    DOCUMENT,
)


def test_the_entry_point_gives_version_counts_documents_and_attribution(
    client: TestClient, built: BuiltDataset, seeded_db: tuple[str, SeedResult]
) -> None:
    info = client.get("/v1").json()
    counts = built.counts()
    assert info["dataset_version"] == seeded_db[1].version == built.version
    assert info["counts"] == {
        "metrics": counts["metric"],
        "indicators": counts["indicator"],
        "industry_chains": counts["industry_chain"],
        "events": counts["event"],
        "entities": counts["entity"],
        "documents": counts["document"],
    }
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    keys = ("id", "title", "publisher", "published", "sha256")
    assert info["documents"] == [{k: doc[k] for k in keys}]
    assert doc["publisher"]["zh"] in info["attribution"]
    assert "translations" in info["translation_note"]
    assert "English" in info["translation_note"]


def test_the_entry_points_counts_match_the_list_totals(client: TestClient) -> None:
    info = client.get("/v1").json()
    resource_of = {"events": "timeline"}  # events are served as the timeline
    assert info["counts"]
    for name, count in info["counts"].items():
        url = info["resources"][resource_of.get(name, name)]
        assert client.get(url).json()["total"] == count, name


def test_every_resource_the_entry_point_names_answers(client: TestClient) -> None:
    resources = client.get("/v1").json()["resources"]
    for name, url in resources.items():
        target = url + "GDP" if url.endswith("q=") else url
        assert client.get(target).status_code == 200, name
