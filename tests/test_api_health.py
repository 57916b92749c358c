"""GET /livez and /readyz: liveness never touches the database; readiness tells the truth."""

from pathlib import Path

from fastapi.testclient import TestClient

from app.config import Settings
from app.dataset.load import SeedResult
from app.store.migrations import head_revision, upgrade
from tests.api_helpers import (
    assert_problem,
    serving,
)


def test_liveness_answers_ok_uncached(client: TestClient) -> None:
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readiness_reports_the_dataset_version_and_schema_revision(
    client: TestClient, seeded_db: tuple[str, SeedResult]
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "dataset_version": seeded_db[1].version,
        "schema_revision": head_revision(),
    }
    assert response.headers["cache-control"] == "no-store"


def test_an_empty_database_file_is_not_ready(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with serving(Settings(database_url=f"sqlite:///{path}", auto_seed=False)) as client:
        response = client.get("/readyz")
        body = assert_problem(response, 503, "/readyz")
        assert body["type"] == "urn:zhuzhou-facts:problem:not-ready"
        assert response.headers["cache-control"] == "no-store"
        assert client.get("/livez").status_code == 200
    assert path.stat().st_size == 0  # never migrated or seeded behind our back


def test_a_migrated_database_without_a_dataset_is_not_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unseeded.sqlite3'}"
    upgrade(url)
    with serving(Settings(database_url=url, auto_seed=False)) as client:
        body = assert_problem(client.get("/readyz"), 503, "/readyz")
        assert "No dataset" in body["detail"]
