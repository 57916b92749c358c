"""HTTP caching: strong ETags, 304s, Cache-Control, Vary, and a response cache that never
serves another dataset version's or another query's bytes."""

import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.caching import CachingMiddleware
from app.api.response_cache import ResponseCache, Stored, key_size
from app.config import Settings
from app.dataset.load import seed_database
from tests.api_helpers import DATA_URLS, ETAG, GDP_Q1_Q3, HEALTH_URLS, ids, layer, serving
from tests.conftest import SEED_DIR

GDP_URL = f"/v1/metrics/{GDP_Q1_Q3}"


@pytest.mark.parametrize("url", [*DATA_URLS, "/v1/metrics?format=csv", "/openapi.json"])
def test_every_200_has_a_strong_etag_and_public_cache_control(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert ETAG.fullmatch(response.headers["etag"]), response.headers["etag"]
    assert response.headers["cache-control"] == "public, max-age=300"
    vary = {v.strip() for v in response.headers["vary"].split(",")}
    # Only documented API routes are negotiated by Accept (not oEmbed, whose `format` is its
    # own); everything varies by coding.
    unnegotiated = url == "/openapi.json" or url.startswith("/oembed?")
    assert vary == ({"Accept-Encoding"} if unnegotiated else {"Accept", "Accept-Encoding"})


@pytest.mark.parametrize("url", sorted(HEALTH_URLS))
def test_health_checks_are_never_stored(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers


def test_the_etag_is_stable_across_requests(client: TestClient) -> None:
    first = client.get(GDP_URL)
    second = client.get(GDP_URL)
    assert first.headers["etag"] == second.headers["etag"]
    assert first.content == second.content


def test_different_bytes_have_different_etags(client: TestClient) -> None:
    etags = {
        client.get(url).headers["etag"]
        for url in (
            "/v1/metrics?limit=5",
            "/v1/metrics?limit=6",
            "/v1/metrics?limit=5&format=csv",
            GDP_URL,
        )
    }
    assert len(etags) == 4


@pytest.mark.parametrize(
    "if_none_match",
    [
        "{etag}",
        "W/{etag}",
        '"0123456789abcdef0123456789abcdef", {etag}',
        '"0123456789abcdef0123456789abcdef",W/{etag}',
        "*",
    ],
)
def test_a_matching_if_none_match_gives_an_empty_304(
    client: TestClient, if_none_match: str
) -> None:
    for url in (GDP_URL, "/v1/metrics?limit=3"):
        etag = client.get(url).headers["etag"]
        response = client.get(url, headers={"If-None-Match": if_none_match.format(etag=etag)})
        assert response.status_code == 304, url
        assert response.content == b""
        assert response.headers["etag"] == etag
        assert response.headers["cache-control"] == "public, max-age=300"
        assert "Accept-Encoding" in response.headers["vary"]
        assert "content-type" not in response.headers


def test_a_304_keeps_the_pagination_headers(client: TestClient) -> None:
    first = client.get("/v1/metrics?limit=3")
    response = client.get("/v1/metrics?limit=3", headers={"If-None-Match": first.headers["etag"]})
    assert response.status_code == 304
    assert response.headers["link"] == first.headers["link"]
    assert response.headers["x-total-count"] == first.headers["x-total-count"]


@pytest.mark.parametrize(
    "if_none_match", ['"0123456789abcdef0123456789abcdef"', 'W/"nope"', '"a", "b"']
)
def test_a_stale_if_none_match_gives_the_full_200(client: TestClient, if_none_match: str) -> None:
    response = client.get(GDP_URL, headers={"If-None-Match": if_none_match})
    assert response.status_code == 200
    assert response.json()["id"] == GDP_Q1_Q3


def test_an_error_is_never_a_304_or_an_etag(client: TestClient) -> None:
    response = client.get("/v1/metrics/gdp-2030", headers={"If-None-Match": "*"})
    assert response.status_code == 404
    assert "etag" not in response.headers
    assert response.headers["cache-control"] == "no-store"


def test_max_age_follows_the_setting(api_settings: Settings) -> None:
    settings = api_settings.model_copy(update={"cache_max_age": 42})
    with serving(settings) as client:
        assert client.get(GDP_URL).headers["cache-control"] == "public, max-age=42"
        assert client.get("/v1/metrics").headers["cache-control"] == "public, max-age=42"


def test_json_and_csv_of_one_url_are_cached_apart(api_settings: Settings) -> None:
    with serving(api_settings) as client:
        as_csv = client.get("/v1/entities?limit=3", headers={"Accept": "text/csv"})
        as_json = client.get("/v1/entities?limit=3")
        as_csv_again = client.get("/v1/entities?limit=3", headers={"Accept": "text/csv"})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert as_json.headers["content-type"] == "application/json"
    assert as_json.json()["limit"] == 3
    assert as_csv_again.content == as_csv.content
    assert as_csv.headers["etag"] != as_json.headers["etag"]


def test_without_the_response_cache_answers_and_etags_are_the_same(
    client: TestClient, api_settings: Settings
) -> None:
    settings = api_settings.model_copy(update={"response_cache_size": 0})
    urls = [GDP_URL, "/v1/metrics?kind=target", "/v1/search?q=GDP", "/v1/timeline?format=csv"]
    with serving(settings) as uncached:
        for url in urls:
            expected = client.get(url)
            first = uncached.get(url)
            second = uncached.get(url)
            assert first.status_code == second.status_code == 200
            assert first.content == second.content == expected.content, url
            assert first.headers["etag"] == second.headers["etag"] == expected.headers["etag"]
            revalidated = uncached.get(url, headers={"If-None-Match": first.headers["etag"]})
            assert revalidated.status_code == 304
            assert revalidated.content == b""


# Requests that differ only in the order of their parameters; FastAPI reads the last value
# of a repeated scalar parameter, so where a parameter repeats the answers differ.
REORDERED = [
    (
        "/v1/metrics?kind=actual&kind=target&limit=500",
        "/v1/metrics?kind=target&kind=actual&limit=500",
    ),
    ("/v1/metrics?sort=value&sort=-value", "/v1/metrics?sort=-value&sort=value"),
    ("/v1/metrics?limit=5&offset=5", "/v1/metrics?offset=5&limit=5"),
]


@pytest.mark.parametrize(("first", "second"), REORDERED)
def test_the_response_cache_never_answers_one_query_with_another_querys_bytes(
    api_settings: Settings, first: str, second: str
) -> None:
    uncached_settings = api_settings.model_copy(update={"response_cache_size": 0})
    with serving(uncached_settings) as uncached:
        expected = uncached.get(second)
    with serving(api_settings) as cached:
        assert cached.get(first).status_code == 200
        got = cached.get(second)
    assert ids(got.json()["items"]) == ids(expected.json()["items"])
    assert got.content == expected.content


def test_a_reseed_is_served_at_once_with_a_new_etag(tmp_path: Path) -> None:
    db = tmp_path / "facts.sqlite3"
    url = f"sqlite:///{db}"
    seed_database(url, SEED_DIR)
    changed_seed = tmp_path / "seed"
    shutil.copytree(SEED_DIR, changed_seed)
    indicators = changed_seed / "indicators.toml"
    name_en = "Gross regional product (GDP), year to date (cumulative)"
    old_label = f'en = "{name_en}"'
    assert old_label in indicators.read_text(encoding="utf-8")
    indicators.write_text(
        indicators.read_text(encoding="utf-8").replace(old_label, f'en = "{name_en}, relabelled"'),
        encoding="utf-8",
    )
    with serving(Settings(database_url=url, auto_seed=False)) as client:
        before = client.get(GDP_URL)
        version_before = client.get("/v1").json()["dataset_version"]
        assert client.get(GDP_URL).content == before.content  # now in the response cache
        assert before.json()["name"]["en"] == name_en

        result = seed_database(url, changed_seed)

        after = client.get(GDP_URL)
        assert after.status_code == 200
        assert after.json()["name"]["en"] == f"{name_en}, relabelled"
        assert after.headers["etag"] != before.headers["etag"]
        revalidated = client.get(GDP_URL, headers={"If-None-Match": before.headers["etag"]})
        assert revalidated.status_code == 200
        assert revalidated.content == after.content
        assert client.get("/v1").json()["dataset_version"] == result.version != version_before
        assert client.get("/readyz").json()["dataset_version"] == result.version


# --- keys: the negotiated outcome, never raw header text ------------------------------------

# Pairs of header lists that ask for the same representation: one cache entry, one ETag...
SAME_OUTCOME = [
    ([("Accept", "text/csv")], [("Accept", "TEXT/CSV;q=1")]),
    # Equal q: the server's order decides (JSON first), whatever the client's line order.
    ([("Accept", "text/csv"), ("Accept", "application/json")], [("Accept", "application/json")]),
    ([("Accept", "application/json"), ("Accept", "text/csv")], [("Accept", "application/json")]),
    ([("Accept", "text/csv"), ("Accept", "application/json;q=0.5")], [("Accept", "text/csv")]),
    ([], [("Accept", "*/*")]),
    ([("Accept", "application/json")], [("Accept", "application/json, text/csv;q=0.1")]),
]
# ...and pairs that ask for different ones: different bytes, different ETags.
DIFFERENT_OUTCOME = [
    (
        [("Accept", "text/csv"), ("Accept", "application/json;q=0.9")],
        [("Accept", "application/json")],
    ),
    (
        [("Accept", "application/json;q=0.9"), ("Accept", "text/csv")],
        [("Accept", "application/json")],
    ),
    ([("Accept", "application/json"), ("Accept", "text/csv")], [("Accept", "text/csv")]),
    ([("Accept", "text/csv;q=0.5, application/json")], [("Accept", "text/csv")]),
    ([("Accept-Encoding", "gzip")], [("Accept-Encoding", "gzip;q=0")]),
]
URL = "/v1/entities?type=person&limit=77"


@pytest.mark.parametrize(("first", "second"), SAME_OUTCOME, ids=str)
def test_one_outcome_is_one_entry_and_one_etag(
    api_settings: Settings, first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    with serving(api_settings) as client:
        a = client.get(URL, headers=first)
        b = client.get(URL, headers=second)
    assert a.status_code == b.status_code == 200
    assert a.content == b.content and a.headers["etag"] == b.headers["etag"]


@pytest.mark.parametrize(("first", "second"), DIFFERENT_OUTCOME, ids=str)
def test_a_request_never_gets_the_cached_bytes_of_another_representation(
    api_settings: Settings, first: list[tuple[str, str]], second: list[tuple[str, str]]
) -> None:
    uncached = api_settings.model_copy(update={"response_cache_size": 0})
    with serving(uncached) as fresh:
        expected_first = fresh.get(URL, headers=first)
        expected_second = fresh.get(URL, headers=second)
    with serving(api_settings) as client:
        got_first = client.get(URL, headers=first)  # fills the cache...
        got_second = client.get(URL, headers=second)  # ...which must not answer this one
    for got, expected in ((got_first, expected_first), (got_second, expected_second)):
        assert got.headers["content-type"] == expected.headers["content-type"]
        assert got.content == expected.content
        assert got.headers["etag"] == expected.headers["etag"]
    assert got_first.headers["etag"] != got_second.headers["etag"]


@pytest.mark.parametrize(
    "lines", [["text/csv", "application/json"], ["application/json", "text/csv"]]
)
def test_the_reported_poisoning_serves_json_for_both_orders(
    api_settings: Settings, lines: list[str]
) -> None:
    # Repeated Accept lines are one list: with equal q the server's order decides (JSON).
    with serving(api_settings) as client:
        both = client.get(URL, headers=[("Accept", line) for line in lines])
        as_json = client.get(URL, headers={"Accept": "application/json"})
    assert both.headers["content-type"] == as_json.headers["content-type"] == "application/json"
    assert as_json.json()["limit"] == 77
    assert both.content == as_json.content and both.headers["etag"] == as_json.headers["etag"]


def test_the_cache_is_bounded_in_bytes_keys_included(api_settings: Settings) -> None:
    small = api_settings.model_copy(update={"response_cache_size": 10_000})
    with serving(small) as client:
        cache = layer(client, CachingMiddleware).cache
        cache.max_bytes = 200_000
        for n in range(300):
            # Distinct 1 KB Accept values that all negotiate to JSON: one key, not 300.
            accept = f"application/json, text/x-{n:01000d}"
            assert client.get("/v1/metrics?limit=1", headers={"Accept": accept}).status_code == 200
        assert len(cache) == 1
        for n in range(300):
            client.get(f"/v1/metrics?limit=1&q={'x' * 50}{n}")
        assert cache.size <= cache.max_bytes


# --- the response cache itself ------------------------------------------------------------


def _stored(size: int, tag: str = "x") -> Stored:
    return Stored(headers=(), body=b"b" * size, etag=f'"{tag}"')


def test_the_cache_evicts_the_least_recently_used_entry_beyond_its_entry_bound() -> None:
    cache = ResponseCache(max_entries=2, max_bytes=10_000)
    cache.put("k1", _stored(10))
    cache.put("k2", _stored(10))
    assert cache.get("k1") is not None  # k1 is now the most recently used
    cache.put("k3", _stored(10))
    assert cache.get("k2") is None
    assert cache.get("k1") is not None and cache.get("k3") is not None


def test_the_cache_counts_keys_and_headers_in_its_bytes() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=10_000)
    cache.put(("k" * 100,), Stored(headers=((b"a", b"bc"),), body=b"x" * 10, etag='"e"'))
    assert cache.size == 100 + 3 + 10 + 3
    assert key_size(("ab", b"cd", 5, ("e",))) == 2 + 2 + 8 + 1


def test_the_cache_evicts_by_bytes_and_refuses_an_entry_over_a_quarter() -> None:
    cache = ResponseCache(max_entries=100, max_bytes=1000)
    for n in range(10):
        cache.put(f"k{n}", _stored(200))
    assert cache.size <= 1000 and cache.get("k9") is not None and cache.get("k0") is None
    cache.put("big", _stored(300))
    assert cache.get("big") is None


def test_replacing_an_entry_keeps_the_byte_count_right_and_clear_empties_it() -> None:
    cache = ResponseCache(max_entries=10, max_bytes=10_000)
    cache.put("k", _stored(50))
    cache.put("k", _stored(70, "y"))
    assert cache.size == 70 + 3 + 1 and cache.get("k") == _stored(70, "y")
    cache.clear()
    assert cache.size == 0 and cache.get("k") is None


def test_a_cache_of_size_zero_stores_nothing() -> None:
    cache = ResponseCache(max_entries=0, max_bytes=1000)
    cache.put("k", _stored(1))
    assert cache.get("k") is None
