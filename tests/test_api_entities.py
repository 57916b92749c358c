"""GET /v1/entities: organisations, people, places and programmes."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.store.tables import Entity
from tests.api_helpers import (
    contains,
    fetch_all,
    ids,
    rows,
)

Item = dict[str, Any]


def test_entities_are_listed_by_id(client: TestClient, built: BuiltDataset) -> None:
    assert ids(fetch_all(client, "/v1/entities")) == sorted(e.id for e in rows(built, Entity))


ENTITY_FILTERS: list[tuple[dict[str, str], Callable[[Item], bool]]] = [
    ({"type": "person"}, lambda e: e["type"] == "person"),
    ({"type": "organisation"}, lambda e: e["type"] == "organisation"),
    ({"type": "programme"}, lambda e: e["type"] == "programme"),
    ({"q": "中车"}, lambda e: contains("中车", e["name"]["zh"], e["as_written"])),
    ({"q": "crrc"}, lambda e: contains("crrc", e["id"], e["name"]["en"])),
    (
        {"type": "place", "q": "株洲"},
        lambda e: e["type"] == "place" and contains("株洲", e["name"]["zh"], e["as_written"]),
    ),
]


@pytest.mark.parametrize(("params", "predicate"), ENTITY_FILTERS, ids=lambda v: str(v))
def test_an_entity_filter_narrows_to_exactly_the_matching_entities(
    client: TestClient, params: dict[str, str], predicate: Callable[[Item], bool]
) -> None:
    everything = fetch_all(client, "/v1/entities")
    served = fetch_all(client, "/v1/entities", **params)
    assert 0 < len(served) < len(everything)
    assert all(predicate(e) for e in served)
    assert ids(served) == [e["id"] for e in everything if predicate(e)]


def test_crrc_zhuzhou_locomotive_is_served_whole(client: TestClient) -> None:
    assert client.get("/v1/entities/crrc-zhuzhou-locomotive").json() == {
        "id": "crrc-zhuzhou-locomotive",
        "type": "organisation",
        "parent": None,
        "as_written": "中车株机",
        "name": {"zh": "中车株机", "en": "CRRC Zhuzhou Locomotive"},
        "children": [],
        "source": {
            "document": "zhuzhou-2021-11-09",
            "paragraph": 29,
            "start": 2292,
            "end": 2320,
            "quote": "在中车株机、中车株洲所、中车株洲电机三大主机公司的引领下",
        },
        "mentioned_by": {
            "metrics": [
                "rail-cluster-enterprises",
                "rail-export-destinations",
                "rail-local-supporting-rate",
            ],
            "events": ["rail-cluster-national-advanced-manufacturing-cluster"],
            "industry_chains": ["rail-transit-equipment-cluster"],
        },
    }
