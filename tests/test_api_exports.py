"""Exports: CSV and NDJSON of every list, whole unless `limit` pages them; records as CSV."""

import csv
import io
import json
from urllib.parse import unquote

import httpx
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.api_helpers import GDP_Q1_Q3, fetch_all, ids

LISTS = ["/v1/metrics", "/v1/indicators", "/v1/industry-chains", "/v1/timeline", "/v1/entities"]
LISTS += ["/v1/documents", "/v1/search?q=株洲"]
CSV_TYPE = "text/csv; charset=utf-8; header=present"
BOM = "\ufeff".encode()


def _all_ids(client: TestClient, url: str) -> list[str]:
    path, _, query = url.partition("?")
    params = dict(p.split("=") for p in query.split("&")) if query else {}
    return ids(fetch_all(client, path, **params))


def _with(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.parametrize(("query", "headers"), [("format=csv", {}), ("", {"Accept": "text/csv"})])
def test_a_csv_without_limit_is_the_whole_sorted_list(
    client: TestClient, url: str, query: str, headers: dict[str, str]
) -> None:
    response = client.get(_with(url, query) if query else url, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == CSV_TYPE
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    expected = _all_ids(client, url)
    assert [r["id"] for r in rows] == expected
    assert response.headers["x-total-count"] == str(len(expected))
    assert "link" not in response.headers  # nothing to page
    assert "content-length" not in response.headers  # streamed


# What a spreadsheet takes for the start of a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("url", LISTS)
def test_no_csv_cell_would_open_as_a_spreadsheet_formula(client: TestClient, url: str) -> None:
    """Cells are served as they are (README, "Representations and exports"); this holds the data
    to it: a cell may start like a formula only when it is a number, such as -3.2."""
    text = client.get(_with(url, "format=csv")).content.decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) > 1
    risky = [c for row in rows for c in row if c.startswith(FORMULA_START) and not _is_number(c)]
    assert risky == []


@pytest.mark.parametrize("url", LISTS)
def test_ndjson_is_one_record_a_line_whole_and_streamed(client: TestClient, url: str) -> None:
    for response in (
        client.get(_with(url, "format=ndjson")),
        client.get(url, headers={"Accept": "application/x-ndjson"}),
    ):
        assert response.headers["content-type"] == "application/x-ndjson"
        lines = response.content.decode("utf-8").splitlines()
        assert [json.loads(line)["id"] for line in lines] == _all_ids(client, url)
        assert response.content.endswith(b"\n") or not lines


@pytest.mark.parametrize("fmt", ["csv", "ndjson", "json"])
def test_limit_and_offset_still_page_every_format(client: TestClient, fmt: str) -> None:
    every = _all_ids(client, "/v1/metrics")
    response = client.get("/v1/metrics", params={"format": fmt, "limit": 7, "offset": 14})
    if fmt == "csv":
        got = [r["id"] for r in csv.DictReader(io.StringIO(response.text))]
    elif fmt == "ndjson":
        got = [json.loads(line)["id"] for line in response.text.splitlines()]
    else:
        got = ids(response.json()["items"])
    assert got == every[14:21]
    assert "next" in response.headers["link"] and "content-length" in response.headers


@pytest.mark.parametrize(
    ("url", "filename"),
    [
        ("/v1/metrics?format=csv", "zhuzhou-facts-metrics.csv"),
        ("/v1/industry-chains?format=csv&kind=cluster", "zhuzhou-facts-industry-chains.csv"),
        (f"/v1/metrics/{GDP_Q1_Q3}?format=csv", f"zhuzhou-facts-metrics-{GDP_Q1_Q3}.csv"),
        ("/v1/indicators/gdp?format=csv", "zhuzhou-facts-indicators-gdp.csv"),
        ("/v1/search?q=地区生产总值&format=csv", "zhuzhou-facts-search-地区生产总值.csv"),
        # A query is part of the name, but never a path, a quoted-pair or a reserved mark.
        ("/v1/search?q=../../etc/passwd&format=csv", "zhuzhou-facts-search-.._.._etc_passwd.csv"),
        ("/v1/search?q=GD%5C&format=csv", "zhuzhou-facts-search-GD_.csv"),
        ("/v1/search?q=a:b*c%3Fd%22e<f>g|h&format=csv", "zhuzhou-facts-search-a_b_c_d_e_f_g_h.csv"),
    ],
)
def test_csv_is_an_attachment_with_a_useful_name(
    client: TestClient, url: str, filename: str
) -> None:
    disposition = client.get(url).headers["content-disposition"]
    kind, *params = (p.strip() for p in disposition.split(";"))
    assert kind == "attachment"
    fields = dict(p.split("=", 1) for p in params)
    assert fields["filename*"] == "UTF-8''" + fields["filename*"].removeprefix("UTF-8''")
    assert unquote(fields["filename*"].removeprefix("UTF-8''")) == filename  # RFC 8187
    assert fields["filename"].startswith('"') and fields["filename"].isascii()  # RFC 6266
    assert "\\" not in fields["filename"] and "/" not in fields["filename"]


@pytest.mark.parametrize("url", ["/v1/metrics?format=csv", f"/v1/metrics/{GDP_Q1_Q3}?format=csv"])
def test_bom_prefixes_the_utf8_byte_order_mark_only_when_asked(
    client: TestClient, url: str
) -> None:
    plain = client.get(url).content
    marked = client.get(_with(url, "bom=true")).content
    assert not plain.startswith(BOM)
    assert marked == BOM + plain
    assert client.get(_with(url, "bom=false")).content == plain


def test_a_record_as_csv_is_its_one_row(client: TestClient) -> None:
    response = client.get(f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept": "text/csv"})
    [row] = list(csv.DictReader(io.StringIO(response.text)))
    record = client.get(f"/v1/metrics/{GDP_Q1_Q3}").json()
    assert row["id"] == record["id"] and row["value"] == "248710000000"
    assert row["period_type"] == record["period"]["type"] == "span"


def test_an_indicator_as_csv_is_its_observations(client: TestClient) -> None:
    series = client.get("/v1/indicators/surface-water-quality-class").json()
    rows = list(
        csv.DictReader(
            io.StringIO(
                client.get(
                    "/v1/indicators/surface-water-quality-class", params={"format": "csv"}
                ).text
            )
        )
    )
    assert [r["id"] for r in rows] == ids(series["items"])
    assert {r["indicator"] for r in rows} == {"surface-water-quality-class"}


def test_pandas_reads_the_whole_csv_the_bom_csv_and_the_ndjson_of_a_real_server(
    live_url: str,
) -> None:
    total = httpx.get(f"{live_url}/v1/metrics").json()["total"]
    frame = pd.read_csv(f"{live_url}/v1/metrics?format=csv")
    assert len(frame) == total > 50  # not cut at the JSON page size
    marked = pd.read_csv(f"{live_url}/v1/metrics?format=csv&bom=true", encoding="utf-8-sig")
    assert list(marked.columns) == list(frame.columns) and list(marked["id"]) == list(frame["id"])
    lines = pd.read_json(f"{live_url}/v1/metrics?format=ndjson", lines=True)
    assert list(lines["id"]) == list(frame["id"])
    gdp = frame.set_index("id").loc[GDP_Q1_Q3]
    assert gdp["value"] == 248710000000 and gdp["unit"] == "CNY"
    water = frame[frame["indicator"] == "surface-water-quality-class"]
    assert set(water["subject"]) >= {"xiangjiang-zhuzhou-section", "lujiang"}
    assert "湘江株洲段水质" in set(frame["name_zh"])  # Chinese intact
