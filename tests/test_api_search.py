"""GET /v1/search: one ranked, case-insensitive search across four resources."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.store.tables import Entity, Event, IndustryChain, Metric
from tests.api_helpers import GDP_Q1_Q3, contains, fetch_all, links, rows

Hit = dict[str, Any]

TYPE_ORDER = {"metric": 0, "industry_chain": 1, "event": 2, "entity": 3}
URL_PREFIX = {
    "metric": "/v1/metrics/",
    "industry_chain": "/v1/industry-chains/",
    "event": "/v1/timeline/",
    "entity": "/v1/entities/",
}


def expected_hits(built: BuiltDataset, q: str) -> set[tuple[str, str]]:
    """(type, id) of every record whose names, expression, quote or id contain q."""
    found: set[tuple[str, str]] = set()
    for m in rows(built, Metric):
        if contains(q, m.name_zh, m.name_en, m.as_written, m.quote, m.id):
            found.add(("metric", m.id))
    for c in rows(built, IndustryChain):
        if contains(q, c.name_zh, c.name_en, c.as_written, c.quote, c.id):
            found.add(("industry_chain", c.id))
    for e in rows(built, Event):
        if contains(q, e.title_zh, e.title_en, e.quote, e.id):
            found.add(("event", e.id))
    for n in rows(built, Entity):
        if contains(q, n.name_zh, n.name_en, n.as_written, n.quote, n.id):
            found.add(("entity", n.id))
    return found


QUERIES = ["株洲", "集群", "动力", "清水塘", "GDP", "gdp", "Rail", "crrc", "water", "2487.1亿元"]


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_exactly_the_records_that_contain_the_text(
    client: TestClient, built: BuiltDataset, q: str
) -> None:
    hits = fetch_all(client, "/v1/search", q=q)
    expected = expected_hits(built, q)
    assert expected
    assert {(h["type"], h["id"]) for h in hits} == expected
    assert len(hits) == len(expected)


@pytest.mark.parametrize("q", QUERIES)
def test_hits_are_ranked_best_first_then_by_type_and_id(client: TestClient, q: str) -> None:
    hits = fetch_all(client, "/v1/search", q=q)
    keys = [(-h["score"], TYPE_ORDER[h["type"]], h["id"]) for h in hits]
    assert keys == sorted(keys)
    assert all(h["score"] > 0 for h in hits)


def test_english_words_match_whatever_their_case(client: TestClient) -> None:
    results = [fetch_all(client, "/v1/search", q=q) for q in ("GDP", "gdp", "Gdp")]
    assert results[0] == results[1] == results[2]
    assert GDP_Q1_Q3 in [h["id"] for h in results[0]]


def test_a_two_character_chinese_substring_finds_the_gdp_record(client: TestClient) -> None:
    hits = fetch_all(client, "/v1/search", q="总值")
    assert ("metric", GDP_Q1_Q3) in {(h["type"], h["id"]) for h in hits}


def test_every_hit_links_to_its_record_with_its_name_and_quote(client: TestClient) -> None:
    hits = fetch_all(client, "/v1/search", q="株洲")
    assert {h["type"] for h in hits} == set(URL_PREFIX)
    for hit in hits:
        assert set(hit) == {"type", "id", "name", "quote", "score", "url"}
        assert hit["url"] == "http://testserver" + URL_PREFIX[hit["type"]] + hit["id"]
        record = client.get(hit["url"]).json()
        assert record["id"] == hit["id"]
        assert hit["name"] == record.get("name", record.get("title"))
        assert hit["quote"] == record["source"]["quote"]


@pytest.mark.parametrize("q", ["株洲", "动力", "清水塘", "产业"])
def test_a_match_in_a_name_beats_one_in_an_expression_which_beats_one_in_a_quote(
    client: TestClient, q: str
) -> None:
    tiers: dict[str, list[float]] = {"name": [], "expression": [], "quote": []}
    for hit in fetch_all(client, "/v1/search", q=q):
        record = client.get(hit["url"]).json()
        name = record.get("name", record.get("title"))
        if contains(q, name["zh"], name["en"]):
            tiers["name"].append(hit["score"])
        elif contains(q, record.get("as_written")):
            tiers["expression"].append(hit["score"])
        elif contains(q, record["source"]["quote"]):
            tiers["quote"].append(hit["score"])
    assert tiers["name"] and tiers["quote"]
    assert min(tiers["name"]) > max(tiers["expression"] + tiers["quote"])
    if tiers["expression"]:
        assert min(tiers["expression"]) > max(tiers["quote"])


def test_an_exact_name_outranks_a_name_that_only_contains_the_text(client: TestClient) -> None:
    hits = fetch_all(client, "/v1/search", q="中车株机")
    assert hits[0]["id"] == "crrc-zhuzhou-locomotive"
    assert hits[0]["name"]["zh"] == "中车株机"
    assert all(h["score"] < hits[0]["score"] for h in hits[1:])


def test_text_that_is_nowhere_finds_nothing(client: TestClient) -> None:
    body = client.get("/v1/search", params={"q": "不存在的词语"}).json()
    assert body == {"items": [], "total": 0, "limit": 50, "offset": 0}


def test_search_pages_like_every_list(client: TestClient) -> None:
    everything = fetch_all(client, "/v1/search", q="株洲")
    seen: list[Hit] = []
    url: str | None = "/v1/search?q=株洲&limit=7"
    while url:
        response = client.get(url)
        assert response.headers["x-total-count"] == str(len(everything))
        seen.extend(response.json()["items"])
        url = links(response).get("next")
    assert seen == everything
    assert len(everything) > 7


def test_the_query_is_trimmed(client: TestClient) -> None:
    assert fetch_all(client, "/v1/search", q="  GDP ") == fetch_all(client, "/v1/search", q="GDP")
