"""GET /v1/timeline: events in date order, filters, and whole records."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import (
    contains,
    day,
    fetch_all,
    ids,
    overlaps,
)

Item = dict[str, Any]


def _event_key(e: Item) -> tuple[bool, date, date, int]:
    when = e["date"]
    if when is None or when["end"] is None:
        return (True, date.min, date.min, e["source"]["start"])
    end = date.fromisoformat(when["end"])
    return (False, day(when["start"]) or end, end, e["source"]["start"])


def test_events_come_in_date_order_with_undated_last(client: TestClient) -> None:
    items = fetch_all(client, "/v1/timeline")
    keys = [_event_key(e) for e in items]
    assert keys == sorted(keys)
    undated = [e["date"] is None for e in items]
    assert True in undated and False in undated
    assert undated == sorted(undated)


def test_the_rail_cluster_event_is_served_whole(client: TestClient) -> None:
    event = "rail-cluster-national-advanced-manufacturing-cluster"
    assert client.get(f"/v1/timeline/{event}").json() == {
        "id": event,
        "title": {
            "zh": "株洲轨道交通装备产业集群获批国家首批先进制造业集群",
            "en": "Zhuzhou rail transit equipment industrial cluster approved in the first batch "
            "of national advanced manufacturing clusters",
        },
        "date": {
            "start": "2021-03-01",
            "end": "2021-03-31",
            "precision": "month",
            "as_written": "今年3月",
        },
        "entities": [
            "crrc-zhuzhou-electric",
            "crrc-zhuzhou-institute",
            "crrc-zhuzhou-locomotive",
            "national-advanced-manufacturing-clusters",
            "zhuzhou",
        ],
        "metrics": [],
        "industry_chains": ["rail-transit-equipment-cluster"],
        "source": {
            "document": "zhuzhou-2021-11-09",
            "paragraph": 29,
            "start": 2369,
            "end": 2399,
            "quote": "今年3月,株洲轨道交通装备产业集群获批国家首批先进制造业集群",
        },
    }


def _event_overlaps(lo: str | None, hi: str | None) -> Callable[[Item], bool]:
    return lambda e: overlaps(e["date"], day(lo), day(hi))


TIMELINE_FILTERS: list[tuple[dict[str, str], Callable[[Item], bool]]] = [
    ({"from": "2021"}, _event_overlaps("2021-01-01", None)),
    ({"to": "2016"}, _event_overlaps(None, "2016-12-31")),
    ({"from": "2021-03", "to": "2021-03"}, _event_overlaps("2021-03-01", "2021-03-31")),
    ({"from": "2021-10-15"}, _event_overlaps("2021-10-15", None)),
    ({"q": "清水塘"}, lambda e: contains("清水塘", e["title"]["zh"], e["source"]["quote"])),
    ({"q": "EMU"}, lambda e: contains("emu", e["id"], e["title"]["en"], e["source"]["quote"])),
    ({"entity": "zhuzhou"}, lambda e: "zhuzhou" in e["entities"]),
    (
        {"entity": "zhuzhou", "from": "2021"},
        lambda e: "zhuzhou" in e["entities"] and overlaps(e["date"], date(2021, 1, 1), None),
    ),
]


@pytest.mark.parametrize(("params", "predicate"), TIMELINE_FILTERS, ids=lambda v: str(v))
def test_a_timeline_filter_narrows_to_exactly_the_matching_events(
    client: TestClient, params: dict[str, str], predicate: Callable[[Item], bool]
) -> None:
    everything = fetch_all(client, "/v1/timeline")
    served = fetch_all(client, "/v1/timeline", **params)
    assert 0 < len(served) < len(everything)
    assert all(predicate(e) for e in served)
    assert ids(served) == [e["id"] for e in everything if predicate(e)]


def test_the_entity_filter_agrees_with_the_entitys_mentions(client: TestClient) -> None:
    for entity in fetch_all(client, "/v1/entities"):
        events = ids(fetch_all(client, "/v1/timeline", entity=entity["id"]))
        assert sorted(events) == entity["mentioned_by"]["events"], entity["id"]
