"""GET /v1/indicators: series, their observations in order, and their latest values."""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.store.tables import Indicator
from tests.api_helpers import (
    contains,
    day,
    fetch_all,
    ids,
    rows,
)

Item = dict[str, Any]


def test_indicators_are_listed_by_id_with_their_observation_counts(
    client: TestClient, built: BuiltDataset
) -> None:
    items = fetch_all(client, "/v1/indicators")
    assert ids(items) == sorted(i.id for i in rows(built, Indicator))
    metrics = fetch_all(client, "/v1/metrics")
    for item in items:
        assert item["observations"] == sum(m["indicator"] == item["id"] for m in metrics)


INDICATOR_FILTERS: list[tuple[dict[str, str], Callable[[Item], bool]]] = [
    ({"category": "environment"}, lambda i: i["category"] == "environment"),
    ({"category": "trade"}, lambda i: i["category"] == "trade"),
    ({"q": "GDP"}, lambda i: contains("gdp", i["id"], i["name"]["zh"], i["name"]["en"])),
    ({"q": "增长"}, lambda i: contains("增长", i["name"]["zh"])),
    (
        {"category": "economy", "q": "growth"},
        lambda i: i["category"] == "economy" and contains("growth", i["id"], i["name"]["en"]),
    ),
]


@pytest.mark.parametrize(("params", "predicate"), INDICATOR_FILTERS, ids=lambda v: str(v))
def test_an_indicator_filter_narrows_to_exactly_the_matching_series(
    client: TestClient, params: dict[str, str], predicate: Callable[[Item], bool]
) -> None:
    everything = fetch_all(client, "/v1/indicators")
    served = fetch_all(client, "/v1/indicators", **params)
    assert 0 < len(served) < len(everything)
    assert all(predicate(i) for i in served)
    assert ids(served) == [i["id"] for i in everything if predicate(i)]


def test_the_gdp_series_lists_its_observations_in_period_order(client: TestClient) -> None:
    body = client.get("/v1/indicators/gdp").json()
    assert ids(body["items"]) == ["gdp-past-5-years", "gdp-2021-q1-q3", "target-gdp"]
    assert body["observations"] == 3
    assert body["latest_actual"]["id"] == "gdp-2021-q1-q3"
    assert body["latest_actual"]["value"] == 248710000000.0
    assert body["latest_target"]["id"] == "target-gdp"
    assert body["latest_target"]["period"]["end"] == "2025-12-31"


def _summary(metric: Item) -> Item:
    keys = ("id", "value", "value_high", "unit", "qualifier", "period")
    return {k: metric[k] for k in keys}


def _latest_end(items: list[Item]) -> str | None:
    ends = [m["period"]["end"] for m in items if m["period"] and m["period"]["end"]]
    return max(ends) if ends else None


def test_every_series_has_its_observations_in_order_and_the_right_latest_values(
    client: TestClient,
) -> None:
    metrics = fetch_all(client, "/v1/metrics")
    for indicator in fetch_all(client, "/v1/indicators"):
        detail = client.get(f"/v1/indicators/{indicator['id']}").json()
        items = detail.pop("items")
        assert detail == indicator
        assert sorted(ids(items)) == sorted(
            m["id"] for m in metrics if m["indicator"] == detail["id"]
        )
        keys = [
            (
                m["period"] is None or m["period"]["end"] is None,
                day(m["period"]["end"] if m["period"] else None) or date.min,
            )
            for m in items
        ]
        assert keys == sorted(keys), detail["id"]
        for kind in ("actual", "target"):
            of_kind = [m for m in items if m["kind"] == kind]
            latest = detail[f"latest_{kind}"]
            end = _latest_end(of_kind)
            if end is not None:
                assert latest["period"]["end"] == end, detail["id"]
                candidates = [
                    _summary(m) for m in of_kind if m["period"] and m["period"]["end"] == end
                ]
                assert latest in candidates, detail["id"]
            elif len(of_kind) == 1:
                assert latest == _summary(of_kind[0]), detail["id"]
            else:
                assert latest is None, detail["id"]
