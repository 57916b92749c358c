"""GET /v1/search: one ranked search across four resources, through links, in both languages."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.dataset.build import BuiltDataset
from app.models import Bilingual, ChainPublic, EntityPublic, EventPublic, MetricPublic
from tests.api_helpers import GDP_Q1_Q3, fetch_all, links

Hit = dict[str, Any]
Record = MetricPublic | ChainPublic | EventPublic | EntityPublic

TYPE_ORDER = {"metric": 0, "industry_chain": 1, "event": 2, "entity": 3}
URL_PREFIX = {
    "metric": "/v1/metrics/",
    "industry_chain": "/v1/industry-chains/",
    "event": "/v1/timeline/",
    "entity": "/v1/entities/",
}
SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_]+")
FULL_WIDTH = {c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def norm(text: str | None) -> str:
    """The documented rule, written again: case, full width, hyphens and spacing ignored."""
    return SEPARATORS.sub(" ", (text or "").translate(FULL_WIDTH).casefold()).strip()


def has(q: str, *texts: str | None) -> bool:
    """Whether q, normalised, is inside any of the texts, normalised."""
    needle = norm(q)
    return any(needle in norm(t) for t in texts if t)


def name_of(record: Record) -> Bilingual:
    """A record's name (an event's title)."""
    return record.title if isinstance(record, EventPublic) else record.name


def all_records(built: BuiltDataset) -> dict[tuple[str, str], Record]:
    """Every searchable record by (type, id)."""
    r = built.records
    return {
        **{("metric", m.id): m for m in r.metrics},
        **{("industry_chain", c.id): c for c in r.chains},
        **{("event", e.id): e for e in r.events},
        **{("entity", e.id): e for e in r.entities},
    }


def own_texts(record: Record) -> list[str | None]:
    """Names, expression, quote and id."""
    written = None if isinstance(record, EventPublic) else record.as_written
    name = name_of(record)
    return [name.zh, name.en, written, record.source.quote, record.id]


def linked(record: Record) -> list[tuple[str, str]]:
    """What the record links to: subject, entities, chains (related), metrics."""
    if isinstance(record, MetricPublic):
        chains = [("industry_chain", c) for c in record.industry_chains]
        return [(record.subject_type, record.subject), *chains, *_entities(record.entities)]
    if isinstance(record, ChainPublic):
        return [("industry_chain", c) for c in record.related] + _entities(record.entities)
    if isinstance(record, EventPublic):
        return [
            *[("metric", m) for m in record.metrics],
            *[("industry_chain", c) for c in record.industry_chains],
            *_entities(record.entities),
        ]
    return []


def _entities(ids: list[str]) -> list[tuple[str, str]]:
    return [("entity", e) for e in ids]


def linked_names(record: Record, records: dict[tuple[str, str], Record]) -> list[str]:
    """Both names of every record this one links to."""
    names = [name_of(records[ref]) for ref in linked(record)]
    return [n.zh for n in names] + [n.en for n in names]


def expected_hits(built: BuiltDataset, q: str) -> set[tuple[str, str]]:
    """(type, id) of every record whose own text, or a linked record's name, holds q."""
    records = all_records(built)
    return {
        ref
        for ref, record in records.items()
        if has(q, *own_texts(record)) or has(q, *linked_names(record, records))
    }


QUERIES = [
    "株洲",
    "集群",
    "动力",
    "清水塘",
    "GDP",
    "gdp",
    "Rail",
    "crrc",
    "water",
    "2487.1亿元",
    "new energy",
    "Ⅱ类",
    "3+3+2",
    "rail transit",
    "R&D",
    "“本土”",
]


@pytest.mark.parametrize("q", QUERIES)
def test_search_finds_exactly_the_records_whose_text_or_links_hold_the_query(
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
    assert all(0 < h["score"] <= 5 for h in hits)


# Read off the data (names, expressions, quotes, links) and the documented score: `top` is the
# start of the ranking in order, `found` are records that must be among the hits. The score
# is tier + the share of the matched text the query covers, in words (a Chinese character is
# one): e.g. "GDP" is 1 of the 3 words of "GDP, annual total" (1/4 → 4.25) but 1 of 4 of "GDP
# per capita, annual" (4.20).
RANKING: list[tuple[str, tuple[str, ...], set[str]]] = [
    # Two industries are named exactly 轨道交通; then the cluster (the shortest name holding it);
    # events linked to the cluster whose own text never says 轨道交通 are found through it.
    (
        "轨道交通",
        ("power-valley-rail-transit", "system-rail-transit", "rail-transit-equipment-cluster"),
        {"first-double-deck-emu-for-europe-rolled-off", "plateau-fuxing-train-in-tibet"},
    ),
    (
        "rail",
        ("power-valley-rail-transit", "system-rail-transit", "rail-transit-equipment-cluster"),
        {
            "first-double-deck-emu-for-europe-rolled-off",
            "plateau-fuxing-train-in-tibet",
            "china-power-valley-proposed",
        },
    ),
    ("Rail transit", ("power-valley-rail-transit", "system-rail-transit"), set()),
    (
        "GDP",
        (
            "gdp-past-5-years",
            "gdp-per-capita-past-5-years",
            "gdp-average-growth-past-5-years",
            "gdp-growth-2021-q1-q3",
            "gdp-growth-two-year-average-2021-q1-q3",
            GDP_Q1_Q3,
        ),
        {"target-gdp"},
    ),
    (
        "地区生产总值",
        (
            GDP_Q1_Q3,
            "gdp-average-growth-past-5-years",
            "gdp-past-5-years",
            "gdp-per-capita-past-5-years",
            "gdp-growth-2021-q1-q3",
            "gdp-growth-two-year-average-2021-q1-q3",
        ),
        set(),
    ),
    ("总值", (GDP_Q1_Q3, "gdp-average-growth-past-5-years"), {"gdp-growth-2021-q1-q3"}),
    (
        "new energy",
        (
            "power-valley-new-energy-vehicles",
            "system-new-energy-equipment",
            "high-tech-zone-new-energy-vehicles",
        ),
        {"high-tech-zone-nev-enterprises"},
    ),
    ("新能源", ("power-valley-new-energy-vehicles", "system-new-energy-equipment"), set()),
    (
        "new-energy vehicles",
        ("power-valley-new-energy-vehicles",),
        {"high-tech-zone-new-energy-vehicles", "china-power-valley-proposed"},
    ),
    ("清水塘", ("qingshuitang",), {"qingshuitang-old-industrial-zone", "qingshuitang-area"}),
    ("Qingshuitang", ("qingshuitang",), {"qingshuitang-relocation-campaign"}),
    (
        "中车株机",
        ("crrc-zhuzhou-locomotive",),
        {"rail-cluster-enterprises", "rail-transit-equipment-cluster"},
    ),
    ("CRRC", ("crrc-zhuzhou-electric", "crrc-zhuzhou-institute", "crrc-zhuzhou-locomotive"), set()),
    ("株洲", ("zhuzhou",), {"zhuzhou-high-tech-zone", GDP_Q1_Q3}),
    ("Zhuzhou", ("zhuzhou",), {"rail-transit-equipment-cluster"}),
    ("动力", ("system-aviation-power", "china-power-valley", "china-power-valley-proposed"), set()),
    ("动力谷", ("china-power-valley", "china-power-valley-proposed"), set()),
    ("田心", ("tianxin",), {"rail-transit-equipment-cluster"}),
    ("Tianxin", ("tianxin",), {"rail-transit-equipment-cluster"}),
    ("刘友梅", ("liu-youmei",), {"academicians"}),
    ("Liu Youmei", ("liu-youmei",), {"academicians"}),
    (
        "water quality",
        (
            "lujiang-water-class-2020",
            "zhuzhou-water-class-citywide",
            "xiangjiang-water-class-2016",
            "xiangjiang-water-class-before-2016",
        ),
        {"xiangjiang-water-improved-to-class-2"},
    ),
    (
        "Sany",
        ("sany-group", "sany-smart-steel-city", "sany-petroleum-equipment-industrial-park"),
        {"sany-dahan-daming-build-smart-steel-city"},
    ),
    ("3+3+2", ("modern-industrial-system-3-3-2",), set()),
    (
        "high-tech zone",
        ("zhuzhou-high-tech-zone", "high-tech-zone-new-energy-vehicles"),
        {"high-tech-zone-nev-enterprises"},
    ),
    ("big data", ("yunlong-big-data",), {"hunan-data-lake-industrial-park-built"}),
    ("大数据", ("yunlong-big-data",), {"hunan-data-lake-industrial-park-built"}),
    ("2487.1", (GDP_Q1_Q3,), set()),
    ("Great Wall", ("great-wall-computer-hunan",), {"great-wall-computer-output-2021-q1-q3"}),
]


@pytest.mark.parametrize(("q", "top", "found"), RANKING, ids=[c[0] for c in RANKING])
def test_the_best_matches_come_first(
    client: TestClient, q: str, top: tuple[str, ...], found: set[str]
) -> None:
    ids = [h["id"] for h in fetch_all(client, "/v1/search", q=q)]
    assert tuple(ids[: len(top)]) == top
    assert found <= set(ids), found - set(ids)


def test_the_ranking_table_covers_both_languages_and_both_query_lengths() -> None:
    queries = [q for q, _, _ in RANKING]
    han = [q for q in queries if re.search(r"[\u4e00-\u9fff]", q)]
    assert len(queries) >= 20
    assert len(han) >= 8 and len(queries) - len(han) >= 8
    assert any(len(q) == 2 for q in han) and any(len(q) > 2 for q in han)


@pytest.mark.parametrize("q", ["rail", "轨道交通", "Tianxin", "Liu Youmei", "big data", "中车株机"])
def test_records_found_only_through_links_rank_below_every_own_text_match(
    client: TestClient, built: BuiltDataset, q: str
) -> None:
    records = all_records(built)
    own: list[float] = []
    through_links: list[float] = []
    for hit in fetch_all(client, "/v1/search", q=q):
        record = records[(hit["type"], hit["id"])]
        (own if has(q, *own_texts(record)) else through_links).append(hit["score"])
    assert own and through_links
    assert max(through_links) <= 1 < min(own)


@pytest.mark.parametrize("q", ["株洲", "动力", "清水塘", "产业"])
def test_a_match_in_a_name_beats_one_in_an_expression_which_beats_one_in_a_quote(
    client: TestClient, q: str
) -> None:
    tiers: dict[str, list[float]] = {"name": [], "expression": [], "quote": []}
    for hit in fetch_all(client, "/v1/search", q=q):
        record = client.get(hit["url"]).json()
        name = record.get("name", record.get("title"))
        if has(q, name["zh"], name["en"]):
            tiers["name"].append(hit["score"])
        elif has(q, record.get("as_written")):
            tiers["expression"].append(hit["score"])
        elif has(q, record["source"]["quote"]):
            tiers["quote"].append(hit["score"])
    assert tiers["name"] and tiers["quote"]
    assert min(tiers["name"]) > max(tiers["expression"] + tiers["quote"])
    if tiers["expression"]:
        assert min(tiers["expression"]) > max(tiers["quote"])


def test_an_exact_name_outranks_a_name_that_only_contains_the_text(client: TestClient) -> None:
    hits = fetch_all(client, "/v1/search", q="中车株机")
    assert hits[0]["id"] == "crrc-zhuzhou-locomotive"
    assert hits[0]["name"]["zh"] == "中车株机"
    assert hits[0]["score"] == 5
    assert all(h["score"] < hits[0]["score"] for h in hits[1:])


@pytest.mark.parametrize(
    "variants",
    [
        ("new energy", "New-Energy", "new  energy", "NEW\u2013ENERGY", "new_energy"),
        ("GDP", "gdp", "Gdp", "ＧＤＰ"),
        ("high-tech zone", "high tech zone", "High-Tech  Zone"),
    ],
)
def test_case_hyphens_width_and_spacing_do_not_change_the_answer(
    client: TestClient, variants: tuple[str, ...]
) -> None:
    results = [fetch_all(client, "/v1/search", q=q) for q in variants]
    assert results[0]
    assert all(r == results[0] for r in results[1:])


def test_a_space_is_not_optional(client: TestClient) -> None:
    assert fetch_all(client, "/v1/search", q="newenergy") == []


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


@pytest.mark.parametrize("q", ["不存在的词语", "a-", "--"])
def test_text_that_is_nowhere_or_shorter_than_two_characters_when_normalised_finds_nothing(
    client: TestClient, q: str
) -> None:
    body = client.get("/v1/search", params={"q": q}).json()
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


@pytest.mark.parametrize("q", ["株洲", "清水塘"])
def test_a_page_past_the_end_still_counts_every_match(client: TestClient, q: str) -> None:
    total = len(fetch_all(client, "/v1/search", q=q))
    response = client.get("/v1/search", params={"q": q, "offset": total + 3})
    assert response.json()["items"] == []
    assert response.json()["total"] == total
    assert response.headers["x-total-count"] == str(total)


def test_the_query_is_trimmed(client: TestClient) -> None:
    assert fetch_all(client, "/v1/search", q="  GDP ") == fetch_all(client, "/v1/search", q="GDP")
