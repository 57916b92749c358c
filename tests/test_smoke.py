"""The app answers on every resource over the shared seeded database."""

from fastapi.testclient import TestClient


def test_every_list_answers_with_the_envelope(client: TestClient) -> None:
    for path in (
        "/v1/metrics",
        "/v1/indicators",
        "/v1/industry-chains",
        "/v1/timeline",
        "/v1/entities",
        "/v1/documents",
        "/v1/search?q=GDP",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        body = response.json()
        assert set(body) == {"items", "total", "limit", "offset"}, path
        assert body["total"] >= 1, path
