"""GET /v1/metrics: the record, every filter, every sort, pagination and its bounds."""

from collections.abc import Callable
from datetime import date
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.store.tables import Metric
from tests.api_helpers import (
    GDP_Q1_Q3,
    contains,
    day,
    fetch_all,
    ids,
    links,
    overlaps,
    rows,
)

Item = dict[str, Any]


def test_the_gdp_of_the_first_three_quarters_is_served_whole(client: TestClient) -> None:
    response = client.get(f"/v1/metrics/{GDP_Q1_Q3}")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "id": "gdp-2021-q1-q3",
        "indicator": "gdp-year-to-date",
        "subject": "zhuzhou",
        "kind": "actual",
        "as_written": "2487.1亿元",
        "category": "economy",
        "basis": "year_to_date",
        "subject_type": "entity",
        "value": 248710000000.0,
        "value_high": None,
        "unit": "CNY",
        "qualifier": "exact",
        "name": {
            "zh": "地区生产总值(年内累计)",
            "en": "Gross regional product (GDP), year to date (cumulative)",
        },
        "period": {
            "type": "span",
            "start": "2021-01-01",
            "end": "2021-09-30",
            "precision": "quarters",
            "label": {
                "zh": "2021年前3季度（1—9月累计）",
                "en": "First three quarters of 2021 (January–September, cumulative)",
            },
            "as_written": "前3季度",
            "written_start": "2021-01-01",
            "written_end": "2021-09-30",
        },
        "source": {
            "document": "zhuzhou-2021-11-09",
            "paragraph": 43,
            "start": 3558,
            "end": 3578,
            "quote": "前3季度实现地区生产总值2487.1亿元",
        },
        "entities": [],
        "industry_chains": [],
        "note": None,
    }


def test_the_gdp_quote_is_the_text_at_its_offsets(client: TestClient) -> None:
    source = client.get(f"/v1/metrics/{GDP_Q1_Q3}").json()["source"]
    text = client.get(f"/v1/documents/{source['document']}/text").text
    assert text[source["start"] : source["end"]] == source["quote"]
    assert source["quote"] == "前3季度实现地区生产总值2487.1亿元"


def test_every_built_metric_is_served_by_its_id_exactly(
    client: TestClient, built: BuiltDataset
) -> None:
    metrics = rows(built, Metric)
    assert metrics
    for metric in metrics:
        response = client.get(f"/v1/metrics/{metric.id}")
        assert response.status_code == 200, metric.id
        assert response.json() == orjson.loads(metric.payload), metric.id


def test_the_list_holds_every_built_metric_and_nothing_else(
    client: TestClient, built: BuiltDataset
) -> None:
    served = fetch_all(client, "/v1/metrics")
    assert sorted(ids(served)) == sorted(m.id for m in rows(built, Metric))


def test_the_list_comes_in_the_envelope_with_the_default_page_size(
    client: TestClient, built: BuiltDataset
) -> None:
    response = client.get("/v1/metrics")
    body = response.json()
    total = len(rows(built, Metric))
    assert set(body) == {"items", "total", "limit", "offset"}
    assert (body["total"], body["limit"], body["offset"]) == (total, 50, 0)
    assert len(body["items"]) == min(50, total)
    assert response.headers["x-total-count"] == str(total)


def _period_overlaps(lo: str | None, hi: str | None) -> Callable[[Item], bool]:
    return lambda m: overlaps(m["period"], day(lo), day(hi))


FILTERS: list[tuple[dict[str, str], Callable[[Item], bool]]] = [
    ({"indicator": "gdp"}, lambda m: m["indicator"] == "gdp"),
    ({"category": "environment"}, lambda m: m["category"] == "environment"),
    (
        {"subject": "qingshuitang-old-industrial-zone"},
        lambda m: m["subject"] == "qingshuitang-old-industrial-zone",
    ),
    ({"kind": "target"}, lambda m: m["kind"] == "target"),
    ({"kind": "actual"}, lambda m: m["kind"] == "actual"),
    ({"unit": "percent"}, lambda m: m["unit"] == "percent"),
    ({"unit": "CNY"}, lambda m: m["unit"] == "CNY"),
    (
        {"chain": "rail-transit-equipment-cluster"},
        lambda m: (
            m["subject"] == "rail-transit-equipment-cluster"
            or "rail-transit-equipment-cluster" in m["industry_chains"]
        ),
    ),
    ({"year": "2020"}, _period_overlaps("2020-01-01", "2020-12-31")),
    ({"year": "2016"}, _period_overlaps("2016-01-01", "2016-12-31")),
    ({"from": "2021"}, _period_overlaps("2021-01-01", None)),
    ({"from": "2021-10-01"}, _period_overlaps("2021-10-01", None)),
    ({"to": "2018"}, _period_overlaps(None, "2018-12-31")),
    ({"to": "2018-12"}, _period_overlaps(None, "2018-12-31")),
    ({"from": "2017", "to": "2019-06"}, _period_overlaps("2017-01-01", "2019-06-30")),
    (
        {"q": "生产总值"},
        lambda m: contains("生产总值", m["name"]["zh"], m["source"]["quote"], m["as_written"]),
    ),
    (
        {"q": "gdp"},
        lambda m: contains(
            "gdp", m["id"], m["name"]["zh"], m["name"]["en"], m["source"]["quote"], m["as_written"]
        ),
    ),
    ({"q": "%"}, lambda m: contains("%", m["source"]["quote"], m["as_written"], m["name"]["en"])),
    (
        {"kind": "actual", "unit": "percent", "year": "2021"},
        lambda m: (
            m["kind"] == "actual"
            and m["unit"] == "percent"
            and overlaps(m["period"], date(2021, 1, 1), date(2021, 12, 31))
        ),
    ),
]


@pytest.mark.parametrize(("params", "predicate"), FILTERS, ids=lambda v: str(v))
def test_a_filter_narrows_the_list_to_exactly_the_matching_metrics(
    client: TestClient, params: dict[str, str], predicate: Callable[[Item], bool]
) -> None:
    everything = fetch_all(client, "/v1/metrics")
    expected = [m["id"] for m in everything if predicate(m)]
    response = client.get("/v1/metrics", params={**params, "limit": 500})
    body = response.json()
    assert 0 < body["total"] < len(everything)
    assert response.headers["x-total-count"] == str(body["total"])
    assert all(predicate(m) for m in body["items"])
    assert sorted(ids(body["items"])) == sorted(expected)


def test_a_filter_on_an_unknown_id_matches_nothing(client: TestClient) -> None:
    for name in ("indicator", "subject", "chain"):
        body = client.get("/v1/metrics", params={name: "no-such-id"}).json()
        assert (body["items"], body["total"]) == ([], 0), name


def test_an_open_start_period_counts_as_its_end(client: TestClient) -> None:
    # An as_of or horizon period ("by the end of 2018", "by 2025") has no start: it matches
    # the year of its end and no year before.
    open_start = [m for m in fetch_all(client, "/v1/metrics") if m["period"]]
    open_start = [m for m in open_start if m["period"]["start"] is None]
    assert {m["period"]["type"] for m in open_start} == {"as_of", "horizon"}
    assert "qingshuitang-enterprises-closed-relocated-2018" in ids(open_start)
    for metric in open_start:
        year = int(metric["period"]["end"][:4])
        assert metric["id"] in ids(fetch_all(client, "/v1/metrics", year=year))
        assert metric["id"] not in ids(fetch_all(client, "/v1/metrics", year=year - 1))


def test_undated_metrics_never_match_a_date_filter(client: TestClient) -> None:
    undated = {m["id"] for m in fetch_all(client, "/v1/metrics") if m["period"] is None}
    assert undated
    for params in ({"from": "1900"}, {"to": "2100"}, {"year": "2021"}):
        matched = set(ids(fetch_all(client, "/v1/metrics", **params)))
        assert matched and not matched & undated, params


@pytest.mark.parametrize(
    ("url", "params", "field"),
    [
        ("/v1/metrics", {"from": "2021", "to": "2020"}, "to"),
        ("/v1/metrics", {"year": "2016", "from": "2017"}, "year"),
        ("/v1/metrics", {"year": "2020", "to": "2019-12-31"}, "year"),
        ("/v1/metrics", {"year": "2020", "from": "2020-06", "to": "2020-05"}, "to"),
        ("/v1/timeline", {"from": "2021-10-02", "to": "2021-10-01"}, "to"),
    ],
)
def test_a_date_range_with_no_day_in_it_is_a_422_never_a_list(
    client: TestClient, url: str, params: dict[str, str], field: str
) -> None:
    response = client.get(url, params=params)
    assert response.status_code == 422, params
    assert [e["loc"] for e in response.json()["errors"]] == [["query", field]]


def test_a_year_within_from_and_to_narrows_to_their_common_days(client: TestClient) -> None:
    both = ids(fetch_all(client, "/v1/metrics", year="2020", **{"from": "2020-06"}))
    assert both == ids(fetch_all(client, "/v1/metrics", **{"from": "2020-06", "to": "2020-12"}))
    assert both


def _ordinal(value: str | None, missing: int) -> int:
    return date.fromisoformat(value).toordinal() if value else missing


def _start(m: Item) -> str | None:
    return m["period"]["start"] if m["period"] else None


def _end(m: Item) -> str | None:
    return m["period"]["end"] if m["period"] else None


SORT_KEYS: dict[str, Callable[[Item], Any]] = {
    # Undated last; then period end, period start (an open start first), order in the text.
    "period": lambda m: (
        _end(m) is None,
        _ordinal(_end(m), 0),
        _ordinal(_start(m), 0),
        m["source"]["start"],
    ),
    # Undated still last; latest end first, an open start after a dated one.
    "-period": lambda m: (
        _end(m) is None,
        -_ordinal(_end(m), 0),
        -_ordinal(_start(m), 0),
        m["source"]["start"],
    ),
    "value": lambda m: (m["value"], m["id"]),
    "-value": lambda m: (-m["value"], m["id"]),
    "id": lambda m: m["id"],
    "-id": lambda m: (*(-ord(c) for c in m["id"]), 1),
    "document": lambda m: (m["source"]["document"], m["source"]["start"], m["id"]),
}


@pytest.mark.parametrize("sort", list(SORT_KEYS))
def test_a_sort_orders_the_whole_list(client: TestClient, sort: str) -> None:
    items = fetch_all(client, "/v1/metrics", sort=sort)
    keys = [SORT_KEYS[sort](m) for m in items]
    assert keys == sorted(keys)
    assert len(items) == len(fetch_all(client, "/v1/metrics"))


def test_the_default_order_is_by_period_with_undated_last(client: TestClient) -> None:
    default = ids(fetch_all(client, "/v1/metrics"))
    by_period = ids(fetch_all(client, "/v1/metrics", sort="period"))
    assert default == by_period
    dated = [_end(m) is not None for m in fetch_all(client, "/v1/metrics")]
    assert dated == sorted(dated, reverse=True)
    assert True in dated and False in dated


def test_sorts_give_different_orders(client: TestClient) -> None:
    orders = {sort: tuple(ids(fetch_all(client, "/v1/metrics", sort=sort))) for sort in SORT_KEYS}
    assert len(set(orders.values())) == len(orders)
    assert orders["-id"] == tuple(reversed(orders["id"]))


def test_a_sort_applies_before_the_page_is_cut(client: TestClient) -> None:
    everything = ids(fetch_all(client, "/v1/metrics", sort="-value"))
    page = client.get("/v1/metrics", params={"sort": "-value", "limit": 5, "offset": 5}).json()
    assert ids(page["items"]) == everything[5:10]


@pytest.mark.parametrize(("params", "size"), [({}, 7), ({"kind": "actual"}, 10), ({}, 500)])
def test_walking_the_next_links_visits_every_metric_once(
    client: TestClient, params: dict[str, str], size: int
) -> None:
    url: str | None = "/v1/metrics"
    query: dict[str, str | int] | None = {**params, "limit": size}
    seen: list[str] = []
    pages = 0
    total = None
    while url is not None:
        response = client.get(url, params=query)
        query = None  # the next link carries every parameter
        body = response.json()
        total = body["total"] if total is None else total
        assert body["total"] == total
        assert response.headers["x-total-count"] == str(total)
        assert body["limit"] == size
        assert len(body["items"]) <= size
        seen.extend(ids(body["items"]))
        pages += 1
        url = links(response).get("next")
        if url is not None:
            assert url.startswith("http://testserver/v1/metrics?"), url
    assert len(seen) == len(set(seen)) == total
    assert set(seen) == set(ids(fetch_all(client, "/v1/metrics", **params)))
    assert pages == -(-len(seen) // size)


def test_a_middle_page_links_to_first_prev_next_and_last(client: TestClient) -> None:
    total = client.get("/v1/metrics").json()["total"]
    response = client.get("/v1/metrics", params={"limit": 10, "offset": 20, "kind": "actual"})
    rels = links(response)
    assert set(rels) == {"first", "prev", "next", "last"}
    actual_total = response.json()["total"]
    assert actual_total < total
    expected_offsets = {
        "first": 0,
        "prev": 10,
        "next": 30,
        "last": (actual_total - 1) // 10 * 10,
    }
    for rel, offset in expected_offsets.items():
        url = rels[rel]
        assert url.startswith("http://testserver/v1/metrics?"), url  # absolute, as GitHub's
        assert "kind=actual" in url and "limit=10" in url and f"offset={offset}" in url, url
        page = client.get(url).json()
        assert page["offset"] == offset


def test_the_first_page_has_no_prev_and_the_last_has_no_next(client: TestClient) -> None:
    first = client.get("/v1/metrics", params={"limit": 10})
    assert "prev" not in links(first) and "first" not in links(first)
    assert "next" in links(first)
    last = client.get(links(first)["last"])
    assert "next" not in links(last) and "last" not in links(last)
    assert links(last)["first"].endswith("offset=0&limit=10")
    assert len(last.json()["items"]) == (last.json()["total"] - 1) % 10 + 1


def test_one_page_holding_everything_sends_no_link(client: TestClient) -> None:
    response = client.get("/v1/metrics", params={"limit": 500})
    assert "link" not in response.headers
    assert response.json()["limit"] == 500


def test_an_offset_past_the_end_gives_an_empty_page_with_the_total(client: TestClient) -> None:
    total = client.get("/v1/metrics").json()["total"]
    body = client.get("/v1/metrics", params={"offset": total + 100}).json()
    assert (body["items"], body["total"], body["offset"]) == ([], total, total + 100)


@pytest.mark.parametrize(("limit", "status"), [(1, 200), (500, 200), (0, 422), (501, 422)])
def test_the_page_size_is_bounded_from_1_to_500(
    client: TestClient, limit: int, status: int
) -> None:
    response = client.get("/v1/metrics", params={"limit": limit})
    assert response.status_code == status
    if status == 200:
        assert response.json()["limit"] == limit
