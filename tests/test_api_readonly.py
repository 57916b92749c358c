"""Every route is read-only: writes are refused as 405 problems and the database never changes."""

import pytest
from fastapi.testclient import TestClient

from app.dataset.load import SeedResult
from app.store.engines import sqlite_path
from tests.api_helpers import ALLOW, EXAMPLE_URLS, WRITE_METHODS, assert_problem, file_digest


def test_the_example_urls_cover_every_route_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == set(EXAMPLE_URLS)
    assert all(set(operations) == {"get"} for operations in paths.values())


@pytest.mark.parametrize("url", list(EXAMPLE_URLS.values()))
def test_every_route_answers_get(client: TestClient, url: str) -> None:
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("method", WRITE_METHODS)
@pytest.mark.parametrize("url", list(EXAMPLE_URLS.values()))
def test_every_route_refuses_every_write_method(client: TestClient, url: str, method: str) -> None:
    response = client.request(method, url, content=b'{"value": 1}')
    assert_problem(response, 405, url.split("?")[0])
    assert response.headers["allow"] == ALLOW


def test_writes_leave_the_database_file_unchanged(
    client: TestClient, seeded_db: tuple[str, SeedResult]
) -> None:
    path = sqlite_path(seeded_db[0])
    before = file_digest(path)
    statuses = set()
    for url in EXAMPLE_URLS.values():
        for method in WRITE_METHODS:
            statuses.add(client.request(method, url, json={"id": "x", "value": 1}).status_code)
        statuses.add(client.get(url).status_code)
        statuses.add(client.head(url).status_code)
        statuses.add(client.options(url).status_code)
    assert statuses == {200, 204, 405}
    assert file_digest(path) == before
    assert client.get("/readyz").json()["dataset_version"] == seeded_db[1].version
