"""One rule for every text parameter, on every route and backend (see app/api/params.py)."""

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.params import PATTERN_RULES, SEARCH_PATTERN, TEXT_PATTERN
from app.dataset.build import BuiltDataset
from app.store.search_text import normalise
from tests.api_helpers import assert_problem, fetch_all, ids

# Every list route with a `q`, and every id filter, with a value that matches something.
TEXT_ROUTES = [
    "/v1/metrics",
    "/v1/indicators",
    "/v1/industry-chains",
    "/v1/timeline",
    "/v1/entities",
]
ID_FILTERS = [
    ("/v1/metrics", "indicator", "gdp"),
    ("/v1/metrics", "subject", "zhuzhou"),
    ("/v1/metrics", "chain", "rail-transit-equipment-cluster"),
    ("/v1/industry-chains", "parent", "modern-industrial-system-3-3-2"),
    ("/v1/timeline", "entity", "zhuzhou"),
]
# Values no text parameter may take: control characters (anywhere), blank, spaces only.
REFUSED_TEXT = ["%00", "a%00b", "%00a", "%09x", "x%0A", "%7F", "", "%20", "%20%20", "%E3%80%80"]


@pytest.mark.parametrize("route", TEXT_ROUTES)
@pytest.mark.parametrize("value", REFUSED_TEXT)
def test_a_bad_q_is_a_422_on_every_list(client: TestClient, route: str, value: str) -> None:
    body = assert_problem(client.get(f"{route}?q={value}"), 422, route)
    assert body["errors"][0]["loc"] == ["query", "q"]


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_surrounding_spaces_are_ignored_in_q(client: TestClient, route: str) -> None:
    plain = client.get(route, params={"q": "株洲", "limit": 500})
    for padded in ("%20株洲", "株洲%20%20", "%E3%80%80株洲%E3%80%80"):
        assert client.get(f"{route}?q={padded}&limit=500").json() == plain.json()


# Queries whose case or width the engines would fold differently on their own (SQLite's LIKE
# folds ASCII only; PostgreSQL's ILIKE all of Unicode, by the database's locale), LIKE's
# wildcards, and separators that normalise to nothing.
Q_PROBES = [
    "ⅱ类", "Ⅱ类", "İ", "i\u0307", "\u212a", "k", "K", "ﬁ", "fi", "ＧＤＰ", "ｇｄｐ", "GDP",
    "ß", "SS", "ς", "σ", "Σ", "ǅ", "New-Energy", "new  energy", "株洲", "3%", "%", "_", "a_b",
    "\\", "-", "—",
]  # fmt: skip
# The texts `q` searches on each list (README, "Text parameters"), from the built records.
Q_SEARCHES: dict[str, tuple[str, Callable[[Any], list[str | None]]]] = {
    "/v1/metrics": (
        "metrics",
        lambda r: [r.name.zh, r.name.en, r.as_written, r.source.quote, r.id],
    ),
    "/v1/indicators": ("indicators", lambda r: [r.name.zh, r.name.en, r.id]),
    "/v1/industry-chains": ("chains", lambda r: [r.name.zh, r.name.en, r.as_written, r.id]),
    "/v1/timeline": ("events", lambda r: [r.title.zh, r.title.en, r.source.quote, r.id]),
    "/v1/entities": ("entities", lambda r: [r.name.zh, r.name.en, r.as_written, r.id]),
}


@pytest.mark.parametrize("route", TEXT_ROUTES)
def test_q_is_a_substring_of_a_searched_text_in_the_normal_form(
    client: TestClient, built: BuiltDataset, route: str
) -> None:
    records, texts = Q_SEARCHES[route]
    for q in Q_PROBES:
        needle = normalise(q)
        expected = {
            r.id
            for r in getattr(built.records, records)
            if needle and any(needle in normalise(t or "") for t in texts(r))
        }
        assert set(ids(fetch_all(client, route, q=q))) == expected, q


def test_a_found_q_matches_within_one_text_never_across_two(client: TestClient) -> None:
    # gdp's names end "..., annual" and its id is "gdp": joined, they would hold "annual gdp".
    found = fetch_all(client, "/v1/indicators", q="annual")
    assert "gdp" in ids(found)
    assert fetch_all(client, "/v1/indicators", q="annual gdp") == []


@pytest.mark.parametrize(("route", "name", "good"), ID_FILTERS)
@pytest.mark.parametrize("value", ["", "%00", "GDP", "gdp%20", "gdp--x", "-gdp", "株洲", "a" * 101])
def test_an_id_filter_takes_a_slug_or_is_a_422(
    client: TestClient, route: str, name: str, good: str, value: str
) -> None:
    body = assert_problem(client.get(f"{route}?{name}={value}"), 422, route)
    assert body["errors"][0]["loc"] == ["query", name]
    assert fetch_all(client, route, **{name: good}), f"{name}={good} should match something"


@pytest.mark.parametrize(("route", "name", "good"), ID_FILTERS)
def test_an_unknown_but_wellformed_id_filters_to_nothing(
    client: TestClient, route: str, name: str, good: str
) -> None:
    assert fetch_all(client, route, **{name: "no-such-record"}) == []


@pytest.mark.parametrize(
    ("value", "status"),
    [
        ("GDP", 200),
        ("%20GDP%20", 200),
        ("地区", 200),
        ("a", 422),
        ("%20a%20", 422),
        ("a%00", 422),
        ("%00ab", 422),
        ("", 422),
        ("%20%20", 422),
        ("a%09b", 422),
    ],
)
def test_search_takes_two_characters_after_spaces_and_no_control(
    client: TestClient, value: str, status: int
) -> None:
    response = client.get(f"/v1/search?q={value}")
    if status == 422:
        assert_problem(response, 422, "/v1/search")
    else:
        assert response.status_code == 200
        stripped = value.replace("%20", "")
        assert response.json() == client.get(f"/v1/search?q={stripped}").json()


@pytest.mark.parametrize(
    "path",
    [
        "/v1/metrics/a%00b",
        "/v1/metrics/%00",
        "/v1/entities/GDP",
        "/v1/timeline/a%20b",
        "/v1/documents/zhuzhou-2021-11-09%00/text",
        "/v1/indicators/gdp%0A",
    ],
)
def test_a_path_id_that_is_not_a_slug_is_found_nowhere(client: TestClient, path: str) -> None:
    assert_problem(client.get(path), 404, path)


@pytest.mark.parametrize(
    ("pattern", "value", "matches"),
    [
        (TEXT_PATTERN, "a", True),
        (TEXT_PATTERN, " a ", True),
        (TEXT_PATTERN, "株洲 市", True),
        (TEXT_PATTERN, " ", False),
        (TEXT_PATTERN, "\u3000", False),
        (TEXT_PATTERN, "a\x00", False),
        (TEXT_PATTERN, "a\tb", False),
        (SEARCH_PATTERN, "ab", True),
        (SEARCH_PATTERN, " a b ", True),
        (SEARCH_PATTERN, " a ", False),
        (SEARCH_PATTERN, "a\x7fb", False),
    ],
)
def test_the_documented_patterns_say_what_the_server_does(
    pattern: str, value: str, matches: bool
) -> None:
    # The same patterns go into the OpenAPI document; check them with Python's re as well.
    assert (re.search(pattern, value) is not None) is matches


def test_the_rule_holds_on_a_real_server(live_url: str) -> None:
    for url in (
        "/v1/metrics?q=%00",
        "/v1/metrics?q=%20",
        "/v1/metrics?indicator=",
        "/v1/search?q=a",
    ):
        assert httpx.get(live_url + url).status_code == 422, url
    assert httpx.get(live_url + "/v1/metrics/a%00b").status_code == 404
    found = httpx.get(live_url + "/v1/metrics", params={"q": " GDP ", "limit": 500}).json()
    assert ids(found["items"]) == ids(
        httpx.get(live_url + "/v1/metrics?q=GDP&limit=500").json()["items"]
    )


def _patterned_parameters(client: TestClient) -> list[tuple[str, str, str]]:
    """(path, parameter, pattern) of every query parameter the OpenAPI document gives a pattern."""
    found = []
    for path, ops in client.get("/openapi.json").json()["paths"].items():
        for p in ops["get"].get("parameters", []):
            schemas = [p["schema"], *p["schema"].get("anyOf", [])]
            for schema in schemas:
                if "pattern" in schema and p["in"] == "query":
                    found.append((path, p["name"], schema["pattern"]))
    return found


def test_every_documented_pattern_has_its_rule_in_words(client: TestClient) -> None:
    patterned = _patterned_parameters(client)
    assert len(patterned) >= 10
    assert {pattern for _, _, pattern in patterned} <= set(PATTERN_RULES)


@pytest.mark.parametrize("value", ["%01", "A-", "x%7Fy"])
def test_a_422_for_a_pattern_says_the_rule_not_the_expression(
    client: TestClient, value: str
) -> None:
    for path, name, pattern in _patterned_parameters(client):
        if "{" in path:
            continue
        required = "q=GDP&" if path == "/v1/search" and name != "q" else ""
        response = client.get(f"{path}?{required}{name}={value}")
        if re.search(pattern, unquote(value)):
            continue  # a value this parameter takes
        assert response.status_code == 422, (path, name)
        messages = [e["msg"] for e in response.json()["errors"] if e["loc"] == ["query", name]]
        assert messages == [PATTERN_RULES[pattern]], (path, name, messages)
