"""Indicators, industry chains, timeline, entities, documents, the dataset entry point, health."""

import hashlib
from collections.abc import Callable
from datetime import date
from itertools import pairwise
from pathlib import Path
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel

from app.config import Settings
from app.dataset.build import BuiltDataset
from app.dataset.load import SeedResult
from app.dataset.migrate import head_revision, upgrade
from app.models import Document, Entity, Event, Indicator, IndustryChain
from tests.api_helpers import (
    DOCUMENT,
    LIST_ROUTES,
    assert_problem,
    contains,
    day,
    fetch_all,
    ids,
    links,
    overlaps,
    rows,
    serving,
)
from tests.conftest import SEED_DIR

Item = dict[str, Any]

# --- every record of every resource ------------------------------------------------------

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


# --- indicators ---------------------------------------------------------------------------


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
    assert body["latest_actual"]["id"] == "gdp-past-5-years"
    assert body["latest_actual"]["value"] == 300000000000.0
    assert body["latest_target"]["id"] == "target-gdp"
    assert body["latest_target"]["period"]["end"] == "2025-12-31"


def test_the_year_to_date_gdp_is_a_series_of_its_own(client: TestClient) -> None:
    body = client.get("/v1/indicators/gdp-year-to-date").json()
    assert ids(body["items"]) == ["gdp-2021-q1-q3"]
    assert body["latest_actual"]["id"] == "gdp-2021-q1-q3"
    assert body["latest_actual"]["value"] == 248710000000.0
    assert body["latest_target"] is None


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


# --- industry chains ----------------------------------------------------------------------


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


# --- timeline -----------------------------------------------------------------------------


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


# --- entities -----------------------------------------------------------------------------


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


# --- documents ----------------------------------------------------------------------------


def test_the_document_list_holds_the_one_source(client: TestClient) -> None:
    items = fetch_all(client, "/v1/documents")
    assert ids(items) == [DOCUMENT]
    assert items[0] == client.get(f"/v1/documents/{DOCUMENT}").json()


def test_the_document_has_44_numbered_body_paragraphs_in_order(client: TestClient) -> None:
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    paragraphs = doc["paragraphs"]
    body = [p for p in paragraphs if p["role"] == "body"]
    assert [p["number"] for p in body] == list(range(1, 45))
    assert all(p["number"] is None for p in paragraphs if p["role"] != "body")
    assert [p["index"] for p in paragraphs] == list(range(len(paragraphs)))
    bounds = [(p["start"], p["end"]) for p in paragraphs]
    assert all(s < e for s, e in bounds)
    assert all(e1 <= s2 for (_, e1), (s2, _) in pairwise(bounds))
    assert {p["role"] for p in paragraphs} == {"header", "title", "dateline", "body", "footer"}


def test_the_text_is_the_stored_file_as_utf8_plain_text(client: TestClient) -> None:
    response = client.get(f"/v1/documents/{DOCUMENT}/text")
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert hashlib.sha256(response.content).hexdigest() == doc["sha256"]
    assert len(response.content.decode("utf-8")) == doc["char_count"]
    source = SEED_DIR / "documents" / DOCUMENT / "source.txt"
    assert response.content == source.read_bytes()


def test_every_quote_is_the_text_between_its_offsets_inside_its_paragraph(
    client: TestClient,
) -> None:
    text = client.get(f"/v1/documents/{DOCUMENT}/text").content.decode("utf-8")
    paragraphs = client.get(f"/v1/documents/{DOCUMENT}").json()["paragraphs"]
    body = {p["number"]: p for p in paragraphs if p["role"] == "body"}
    checked = 0
    for path in ("/v1/metrics", "/v1/timeline", "/v1/entities", "/v1/industry-chains"):
        for record in fetch_all(client, path):
            source = record["source"]
            assert source["document"] == DOCUMENT
            assert text[source["start"] : source["end"]] == source["quote"], record["id"]
            paragraph = body[source["paragraph"]]
            assert paragraph["start"] <= source["start"] < source["end"] <= paragraph["end"]
            checked += 1
    assert checked == sum(
        client.get("/v1").json()["counts"][k]
        for k in ("metrics", "events", "entities", "industry_chains")
    )


# --- the dataset entry point --------------------------------------------------------------


def test_the_entry_point_gives_version_counts_documents_and_attribution(
    client: TestClient, built: BuiltDataset, seeded_db: tuple[str, SeedResult]
) -> None:
    info = client.get("/v1").json()
    counts = built.counts()
    assert info["dataset_version"] == seeded_db[1].version == built.version
    assert info["counts"] == {
        "metrics": counts["metric"],
        "indicators": counts["indicator"],
        "industry_chains": counts["industry_chain"],
        "events": counts["event"],
        "entities": counts["entity"],
        "documents": counts["document"],
    }
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    keys = ("id", "title", "publisher", "published", "sha256")
    assert info["documents"] == [{k: doc[k] for k in keys}]
    assert doc["publisher"]["zh"] in info["attribution"]
    assert "translations" in info["translation_note"]
    assert "English" in info["translation_note"]


def test_the_entry_points_counts_match_the_list_totals(client: TestClient) -> None:
    info = client.get("/v1").json()
    resource_of = {"events": "timeline"}  # events are served as the timeline
    assert info["counts"]
    for name, count in info["counts"].items():
        url = info["resources"][resource_of.get(name, name)]
        assert client.get(url).json()["total"] == count, name


def test_every_resource_the_entry_point_names_answers(client: TestClient) -> None:
    resources = client.get("/v1").json()["resources"]
    for name, url in resources.items():
        target = url + "GDP" if url.endswith("q=") else url
        assert client.get(target).status_code == 200, name


# --- health -------------------------------------------------------------------------------


def test_liveness_answers_ok_uncached(client: TestClient) -> None:
    response = client.get("/livez")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers["cache-control"] == "no-store"


def test_readiness_reports_the_dataset_version_and_schema_revision(
    client: TestClient, seeded_db: tuple[str, SeedResult]
) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "dataset_version": seeded_db[1].version,
        "schema_revision": head_revision(),
    }
    assert response.headers["cache-control"] == "no-store"


def test_an_empty_database_file_is_not_ready(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    with serving(Settings(database_url=f"sqlite:///{path}", auto_seed=False)) as client:
        response = client.get("/readyz")
        body = assert_problem(response, 503, "/readyz")
        assert body["type"] == "urn:zhuzhou-facts:problem:not-ready"
        assert response.headers["cache-control"] == "no-store"
        assert client.get("/livez").status_code == 200
    assert path.stat().st_size == 0  # never migrated or seeded behind our back


def test_a_migrated_database_without_a_dataset_is_not_ready(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'unseeded.sqlite3'}"
    upgrade(url)
    with serving(Settings(database_url=url, auto_seed=False)) as client:
        body = assert_problem(client.get("/readyz"), 503, "/readyz")
        assert "No dataset" in body["detail"]
