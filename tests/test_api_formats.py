"""Representations: UTF-8 JSON with Chinese unescaped, and every list as CSV."""

import csv
import io
import re

import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import DATA_URLS, GDP_Q1_Q3, fetch_all, links

CSV_TYPE = "text/csv; charset=utf-8; header=present"
CJK = re.compile("[\u4e00-\u9fff]")

# Every list, with columns its CSV must have (flat: name.zh -> name_zh; source unprefixed).
CSV_LISTS: dict[str, set[str]] = {
    "/v1/metrics": {
        "id",
        "name_zh",
        "name_en",
        "value",
        "unit",
        "qualifier",
        "period_start",
        "period_end",
        "document",
        "start",
        "end",
        "quote",
    },
    "/v1/indicators": {"id", "name_zh", "name_en", "category", "unit", "basis", "latest"},
    "/v1/industry-chains": {"id", "kind", "name_zh", "name_en", "parent", "children", "quote"},
    "/v1/timeline": {"id", "title_zh", "title_en", "date_start", "date_end", "quote"},
    "/v1/entities": {"id", "type", "name_zh", "name_en", "quote"},
    "/v1/documents": {"id", "title_zh", "title_en", "published", "sha256"},
    "/v1/search?q=株洲": {"type", "id", "name_zh", "name_en", "quote", "score", "url"},
}


def read_csv(body: bytes) -> list[dict[str, str]]:
    """Rows of a CSV body as dicts (the header row gives the keys)."""
    return list(csv.DictReader(io.StringIO(body.decode("utf-8"), newline="")))


@pytest.mark.parametrize("url", DATA_URLS)
def test_every_answer_is_utf8_with_chinese_unescaped(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["content-type"].startswith(("application/json", "text/plain"))
    assert b"\\u" not in response.content
    text = response.content.decode("utf-8")  # strict: raises on anything but UTF-8
    assert CJK.search(text), url


def test_the_gdp_record_carries_its_chinese_name_as_utf8_bytes(client: TestClient) -> None:
    raw = client.get(f"/v1/metrics/{GDP_Q1_Q3}").content
    assert "地区生产总值".encode() in raw
    assert "前3季度实现地区生产总值2487.1亿元".encode() in raw
    assert b"\\u5730" not in raw


@pytest.mark.parametrize("url", list(CSV_LISTS))
@pytest.mark.parametrize(
    ("query", "headers"),
    [("format=csv", {}), ("", {"Accept": "text/csv"})],
    ids=["format-param", "accept-header"],
)
def test_every_list_is_also_csv_with_one_row_per_item(
    client: TestClient, url: str, query: str, headers: dict[str, str]
) -> None:
    sep = "&" if "?" in url else "?"
    response = client.get(f"{url}{sep}{query}", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == CSV_TYPE
    table = read_csv(response.content)
    items = fetch_all(client, url.split("?")[0], **dict(p.split("=") for p in url.split("?")[1:]))
    assert [row["id"] for row in table] == [item["id"] for item in items]
    header = response.content.decode("utf-8").split("\r\n", 1)[0].split(",")
    assert CSV_LISTS[url] <= set(header)
    assert len(header) == len(set(header))
    assert response.headers["x-total-count"] == str(client.get(url).json()["total"])


def test_the_csv_row_of_the_gdp_record_is_flat_and_exact(client: TestClient) -> None:
    response = client.get("/v1/metrics", params={"format": "csv", "indicator": "gdp-year-to-date"})
    row = next(r for r in read_csv(response.content) if r["id"] == GDP_Q1_Q3)
    assert {k: row[k] for k in ("name_zh", "name_en", "value", "value_high", "unit")} == {
        "name_zh": "地区生产总值(年内累计)",
        "name_en": "Gross regional product (GDP), year to date (cumulative)",
        "value": "248710000000",
        "value_high": "",
        "unit": "CNY",
    }
    assert (row["period_start"], row["period_end"], row["period_as_written"]) == (
        "2021-01-01",
        "2021-09-30",
        "前3季度",
    )
    assert (row["start"], row["end"]) == ("3558", "3578")
    assert row["quote"] == "前3季度实现地区生产总值2487.1亿元"


def test_csv_joins_lists_with_a_bar(client: TestClient) -> None:
    chains = {c["id"]: c for c in fetch_all(client, "/v1/industry-chains")}
    response = client.get("/v1/industry-chains", params={"format": "csv", "limit": 500})
    rows = read_csv(response.content)
    assert any("|" in row["children"] for row in rows)
    for row in rows:
        assert row["children"] == "|".join(chains[row["id"]]["children"])
        assert row["related"] == "|".join(chains[row["id"]]["related"])


def test_csv_pages_with_the_same_links_as_json(client: TestClient) -> None:
    response = client.get("/v1/metrics", params={"format": "csv", "limit": 10})
    rels = links(response)
    assert "format=csv" in rels["next"]
    assert len(read_csv(response.content)) == 10
    following = client.get(rels["next"])
    assert following.headers["content-type"] == CSV_TYPE
    first_ids = {r["id"] for r in read_csv(response.content)}
    assert first_ids.isdisjoint(r["id"] for r in read_csv(following.content))


def test_an_empty_csv_still_has_its_header(client: TestClient) -> None:
    response = client.get("/v1/metrics", params={"format": "csv", "indicator": "no-such-id"})
    assert response.status_code == 200
    lines = response.content.decode("utf-8").split("\r\n")
    assert lines[0].startswith("id,indicator,") and lines[1:] == [""]


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("", None, "application/json"),
        ("", "application/json", "application/json"),
        ("", "*/*", "application/json"),
        ("", "text/csv", CSV_TYPE),
        ("", "text/csv;q=0.5, application/json", "application/json"),
        ("", "application/json;q=0.4, text/csv;q=0.9", CSV_TYPE),
        ("", "text/html, */*;q=0.1", "application/json"),
        ("format=json", "text/csv", "application/json"),
        ("format=csv", "application/json", CSV_TYPE),
    ],
)
def test_the_format_param_wins_over_accept_and_json_is_the_default(
    client: TestClient, query: str, accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(f"/v1/entities?limit=2&{query}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == expected


def test_a_record_asked_for_as_csv_is_one_csv_row(client: TestClient) -> None:
    for response in (
        client.get(f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept": "text/csv"}),
        client.get(f"/v1/metrics/{GDP_Q1_Q3}", params={"format": "csv"}),
    ):
        assert response.headers["content-type"] == CSV_TYPE
        [row] = read_csv(response.content)
        assert row["id"] == GDP_Q1_Q3
