"""One request, one snapshot: every read of a request shares one connection, and the ETag is made
from the dataset version that connection read, not from the server's earlier view of it."""

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event

from app.api.caching import CachingMiddleware
from app.config import Settings
from app.store.state import DatasetState
from tests.api_helpers import layer, serving

URLS = ["/v1", "/v1/metrics?q=GDP&limit=2", "/v1/indicators/gdp", "/v1/search?q=GDP"]


@pytest.fixture
def uncached(api_settings: Settings) -> Iterator[TestClient]:
    with serving(api_settings.model_copy(update={"response_cache_size": 0})) as client:
        yield client


@pytest.mark.parametrize("url", URLS)
def test_every_read_of_a_request_goes_through_one_connection(
    uncached: TestClient, url: str
) -> None:
    engine = uncached.app.state.dataset.engine  # type: ignore[attr-defined]
    checkouts = 0

    def count(*_: Any) -> None:
        nonlocal checkouts
        checkouts += 1

    event.listen(engine, "checkout", count)
    try:
        assert uncached.get(url).status_code == 200
    finally:
        event.remove(engine, "checkout", count)
    assert checkouts == 1


def test_the_etag_names_the_version_the_route_read_and_a_stale_view_is_not_cached(
    uncached: TestClient, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = "/v1/metrics?limit=3&offset=1"
    honest = uncached.get(url)
    cache = layer(client, CachingMiddleware).cache
    # The server's cheap view of the version lags behind the data (as in the first second after
    # a PostgreSQL reseed): the response is still labelled with the version its rows came from,
    # and it is not stored, since the view it would be stored under is not its version.
    monkeypatch.setattr(DatasetState, "current_version", lambda self: "an-older-version")
    lagging = client.get(url)
    assert (lagging.content, lagging.headers["etag"]) == (honest.content, honest.headers["etag"])
    assert len(cache._data) == 0
    monkeypatch.undo()
    again = client.get(url)
    assert again.headers["etag"] == honest.headers["etag"]
    assert len(cache._data) == 1  # the view and the data agree: stored
