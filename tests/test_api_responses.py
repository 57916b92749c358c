"""Record routes and list paging: every record by its id, every list page by page."""

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.dataset.build import BuiltDataset
from app.store.tables import Document, Entity, Event, Indicator, IndustryChain
from tests.api_helpers import (
    LIST_ROUTES,
    fetch_all,
    ids,
    links,
    rows,
)

RECORD_ROUTES: list[tuple[str, type[SQLModel]]] = [
    ("/v1/indicators/", Indicator),
    ("/v1/industry-chains/", IndustryChain),
    ("/v1/timeline/", Event),
    ("/v1/entities/", Entity),
    ("/v1/documents/", Document),
]


@pytest.mark.parametrize(("prefix", "model"), RECORD_ROUTES, ids=lambda v: str(v))
def test_every_built_record_is_served_by_its_id(
    client: TestClient, built: BuiltDataset, prefix: str, model: type[SQLModel]
) -> None:
    records = rows(built, model)
    assert records
    for record in records:
        response = client.get(prefix + record.id)  # type: ignore[attr-defined]
        assert response.status_code == 200, record.id  # type: ignore[attr-defined]
        served = response.json()
        if model is Indicator:
            served.pop("items")
        assert served == orjson.loads(record.payload)  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", list(LIST_ROUTES))
def test_every_list_pages_through_all_its_records_once(client: TestClient, path: str) -> None:
    total = client.get(path).json()["total"]
    seen: list[str] = []
    url: str | None = f"{path}?limit=10"
    while url:
        response = client.get(url)
        seen.extend(ids(response.json()["items"]))
        url = links(response).get("next")
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == set(ids(fetch_all(client, path)))
