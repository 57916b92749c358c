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
    assert ids(body["items"]) == ["gdp-past-5-years", "target-gdp"]
    assert body["observations"] == 2
    assert body["basis"] == "annual"
    [latest] = body["latest"]
    assert latest["subject"] == "zhuzhou"
    assert latest["actual"]["id"] == "gdp-past-5-years"
    assert latest["actual"]["value"] == 300000000000.0
    assert latest["target"]["id"] == "target-gdp"
    assert latest["target"]["period"]["end"] == "2025-12-31"


def test_the_year_to_date_gdp_is_a_series_of_its_own(client: TestClient) -> None:
    body = client.get("/v1/indicators/gdp-year-to-date").json()
    assert ids(body["items"]) == ["gdp-2021-q1-q3"]
    assert body["basis"] == "year_to_date"
    [latest] = body["latest"]
    assert latest["actual"]["id"] == "gdp-2021-q1-q3"
    assert latest["actual"]["value"] == 248710000000.0
    assert latest["target"] is None


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
        subjects = sorted({m["subject"] for m in items})
        assert [entry["subject"] for entry in detail["latest"]] == subjects, detail["id"]
        for entry in detail["latest"]:
            for kind in ("actual", "target"):
                of_kind = [
                    m for m in items if m["kind"] == kind and m["subject"] == entry["subject"]
                ]
                latest = entry[kind]
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


def test_a_series_of_several_subjects_reports_the_latest_per_subject(client: TestClient) -> None:
    body = client.get("/v1/indicators/surface-water-quality-class").json()
    by_subject = {entry["subject"]: entry["actual"]["id"] for entry in body["latest"]}
    # The Xiang River's latest is its 2016 class, never the Lu River's 2020 one.
    assert by_subject["xiangjiang-zhuzhou-section"] == "xiangjiang-water-class-2016"
    assert by_subject["lujiang"] == "lujiang-water-class-2020"
    assert len(body["latest"]) == len({m["subject"] for m in body["items"]})


def test_every_series_is_homogeneous(client: TestClient) -> None:
    """One unit, one basis, one category per series; several subjects only with a latest each."""
    metrics = fetch_all(client, "/v1/metrics")
    for indicator in fetch_all(client, "/v1/indicators"):
        own = [m for m in metrics if m["indicator"] == indicator["id"]]
        assert own, indicator["id"]
        assert {m["unit"] for m in own} == {indicator["unit"]}, indicator["id"]
        assert {m["basis"] for m in own} == {indicator["basis"]}, indicator["id"]
        assert {m["category"] for m in own} == {indicator["category"]}, indicator["id"]
        subjects = {m["subject"] for m in own}
        assert {e["subject"] for e in indicator["latest"]} == subjects, indicator["id"]
