"""GET /livez and /readyz: liveness never touches the database; readiness tells the truth."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.routers.health import public_detail
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


def test_a_missing_database_file_is_not_ready_and_its_path_is_not_told(tmp_path: Path) -> None:
    missing = tmp_path / "secret-dir" / "facts.sqlite3"
    with serving(Settings(database_url=f"sqlite:///{missing}", auto_seed=False)) as client:
        for url in ("/readyz", "/v1/metrics", "/openapi.json"):
            response = client.get(url)
            assert_problem(response, 503, url)
            assert response.headers["retry-after"] == "5"
            assert str(tmp_path) not in response.text and "secret-dir" not in response.text
        assert "facts.sqlite3" in client.get("/readyz").json()["detail"]  # the name says which


def test_every_not_ready_answer_says_when_to_ask_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unseeded.sqlite3'}"
    upgrade(url)
    with serving(Settings(database_url=url, auto_seed=False)) as client:
        response = client.get("/readyz")
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"


@pytest.mark.parametrize(
    ("detail", "told"),
    [
        (
            "Database unavailable: no readable file at /srv/zhuzhou/var/facts.sqlite3.",
            "Database unavailable: no readable file at facts.sqlite3.",
        ),
        ("Cannot open /facts.sqlite3", "Cannot open facts.sqlite3"),
        ("Schema at revision 0005, expected 0006.", "Schema at revision 0005, expected 0006."),
        (
            "Database damaged: row 3 missing from index x/y.",
            "Database damaged: row 3 missing from index x/y.",
        ),
        ("on 2021/11/09 at postgresql://db/facts", "on 2021/11/09 at postgresql://db/facts"),
    ],
)
def test_a_readiness_detail_names_a_file_but_not_its_folders(detail: str, told: str) -> None:
    assert public_detail(detail) == told
