"""GET /v1/industry-chains: the hierarchy, filters, and whole records."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import (
    contains,
    fetch_all,
    ids,
)

Item = dict[str, Any]


def test_chains_are_listed_in_document_order(client: TestClient) -> None:
    items = fetch_all(client, "/v1/industry-chains")
    keys = [(c["source"]["document"], c["source"]["start"], c["id"]) for c in items]
    assert keys == sorted(keys)


CHAIN_FILTERS: list[tuple[dict[str, str], Callable[[Item], bool]]] = [
    ({"kind": "industry"}, lambda c: c["kind"] == "industry"),
    ({"kind": "cluster"}, lambda c: c["kind"] == "cluster"),
    ({"parent": "china-power-valley"}, lambda c: c["parent"] == "china-power-valley"),
    (
        {"q": "轨道交通"},
        lambda c: contains("轨道交通", c["name"]["zh"], c["as_written"]),
    ),
    (
        {"q": "RAIL"},
        lambda c: contains("rail", c["id"], c["name"]["en"], c["as_written"]),
    ),
    (
        {"kind": "industry", "parent": "system-3-3-2-first-group"},
        lambda c: c["kind"] == "industry" and c["parent"] == "system-3-3-2-first-group",
    ),
]


@pytest.mark.parametrize(("params", "predicate"), CHAIN_FILTERS, ids=lambda v: str(v))
def test_a_chain_filter_narrows_to_exactly_the_matching_records(
    client: TestClient, params: dict[str, str], predicate: Callable[[Item], bool]
) -> None:
    everything = fetch_all(client, "/v1/industry-chains")
    served = fetch_all(client, "/v1/industry-chains", **params)
    assert 0 < len(served) < len(everything)
    assert all(predicate(c) for c in served)
    assert ids(served) == [c["id"] for c in everything if predicate(c)]


def test_the_parent_filter_gives_the_parents_children(client: TestClient) -> None:
    parents = [c for c in fetch_all(client, "/v1/industry-chains") if c["children"]]
    assert parents
    for parent in parents:
        children = ids(fetch_all(client, "/v1/industry-chains", parent=parent["id"]))
        assert sorted(children) == parent["children"], parent["id"]


def test_the_rail_cluster_is_served_whole(client: TestClient) -> None:
    assert client.get("/v1/industry-chains/rail-transit-equipment-cluster").json() == {
        "id": "rail-transit-equipment-cluster",
        "kind": "cluster",
        "parent": None,
        "as_written": "株洲轨道交通装备产业集群",
        "name": {
            "zh": "株洲轨道交通装备产业集群",
            "en": "Zhuzhou rail transit equipment industrial cluster",
        },
        "children": [],
        "related": ["power-valley-rail-transit", "system-rail-transit"],
        "entities": [
            "crrc-zhuzhou-electric",
            "crrc-zhuzhou-institute",
            "crrc-zhuzhou-locomotive",
            "national-advanced-manufacturing-clusters",
            "tianxin",
        ],
        "metrics": [
            "rail-cluster-enterprises",
            "rail-cluster-scale",
            "rail-export-destinations",
            "rail-local-supporting-rate",
        ],
        "events": [
            "clothing-becomes-second-100-billion-cluster",
            "first-double-deck-emu-for-europe-rolled-off",
            "plateau-fuxing-train-in-tibet",
            "rail-cluster-national-advanced-manufacturing-cluster",
        ],
        "source": {
            "document": "zhuzhou-2021-11-09",
            "paragraph": 29,
            "start": 2369,
            "end": 2399,
            "quote": "今年3月,株洲轨道交通装备产业集群获批国家首批先进制造业集群",
        },
    }
