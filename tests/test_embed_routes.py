"""The embed routes as the app serves them: pages, headers, framing, errors, caching, URLs."""

import re
from collections.abc import Iterator
from pathlib import Path
from xml.etree import ElementTree

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.embed import csp
from app.api.embed.assets import STATIC_DIR, static_url
from app.api.params import LABEL_PATTERN, PATTERN_RULES
from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from tests.live import uvicorn_server

GDP = "gdp-2021-q1-q3"
PAGES = {
    "/": "dashboard",
    f"/embed/metrics/{GDP}": "card",
    f"/embed/metrics/{GDP}?lang=en&theme=dark": "card",
    "/embed/indicators/gdp/chart": "chart",
    "/embed/indicators/surface-water-quality-class/chart?lang=en": "chart",
    f"/embed/metrics/{GDP}/badge.svg": "badge",
}


@pytest.fixture
def prefixed(api_settings: Settings) -> Iterator[TestClient]:
    """The app behind a path prefix and a TLS proxy: https://facts.example/facts/…"""
    with TestClient(
        create_app(api_settings), base_url="https://facts.example", root_path="/facts"
    ) as client:
        yield client


@pytest.mark.parametrize(("url", "page"), PAGES.items())
def test_each_page_is_served_with_its_policy(client: TestClient, url: str, page: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    expected = "image/svg+xml" if page == "badge" else "text/html"
    assert response.headers["content-type"] == f"{expected}; charset=utf-8"
    assert (
        response.headers["content-security-policy"] == csp.HEADERS[page]["Content-Security-Policy"]
    )
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["etag"] and "public" in response.headers["cache-control"]


@pytest.mark.parametrize("url", [f"/embed/metrics/{GDP}", "/embed/indicators/gdp/chart"])
def test_the_card_and_the_chart_may_be_framed_by_anyone(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert "frame-ancestors *" in response.headers["content-security-policy"]
    assert "x-frame-options" not in response.headers
    # A revalidation carries no framing header that would update the stored one.
    again = client.get(url, headers={"if-none-match": response.headers["etag"]})
    assert again.status_code == 304 and "x-frame-options" not in again.headers


@pytest.mark.parametrize(
    "url",
    [
        "/",
        f"/embed/metrics/{GDP}/badge.svg",
        "/v1",
        "/v1/metrics",
        f"/v1/metrics/{GDP}?format=csv",
        "/v1/datapackage.json",
        f"/oembed?url=http://testserver/embed/metrics/{GDP}",
        "/docs",
        "/openapi.json",
        "/static/embed/resize.js",
        "/nope",
        "/embed/metrics/nope",
        f"/embed/metrics/{GDP}?lang=fr",
    ],
)
def test_everything_else_refuses_to_be_framed(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers.get("content-security-policy", "")
    assert "frame-ancestors *" not in policy


def test_unknown_records_and_bad_parameters_are_problems(client: TestClient) -> None:
    for url, status in [
        ("/embed/metrics/nope", 404),
        ("/embed/metrics/nope/badge.svg", 404),
        ("/embed/indicators/nope/chart", 404),
        (f"/embed/metrics/{GDP}?lang=fr", 422),
        ("/embed/indicators/gdp/chart?theme=blue", 422),
        ("/?lang=de", 422),
        ("/static/embed/nope.js", 404),
        ("/oembed", 422),
        ("/oembed?url=https://elsewhere.example/embed/metrics/x", 404),
        ("/oembed?url=http://testserver/embed/metrics/nope", 404),
        (f"/oembed?url=http://testserver/embed/metrics/{GDP}&format=xml", 501),
        (f"/oembed?url=http://testserver/embed/metrics/{GDP}&maxwidth=0", 422),
    ]:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"] == "application/problem+json", url
        assert response.json()["status"] == status


def test_a_badge_may_say_its_own_label(client: TestClient) -> None:
    svg = client.get(f"/embed/metrics/{GDP}/badge.svg", params={"label": "GDP 2021 Q1–Q3"}).text
    assert ">GDP 2021 Q1–Q3</text>" in svg
    assert client.get(f"/embed/metrics/{GDP}/badge.svg", params={"label": ""}).status_code == 422


# What would make the SVG not well-formed XML (XML 1.0 §2.2), or show nothing.
UNSHOWABLE = [
    "a\x01b",
    "a\x00",
    "\x7f",
    "a\tb",
    "a\nb",
    "\x1b[31m",
    "a\ufffeb",
    "\uffff",
    " ",
    "\u3000",
]


@pytest.mark.parametrize("label", UNSHOWABLE)
def test_a_label_that_cannot_be_shown_is_a_422_problem(client: TestClient, label: str) -> None:
    response = client.get(f"/embed/metrics/{GDP}/badge.svg", params={"label": label})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [(e["loc"], e["msg"]) for e in response.json()["errors"]] == [
        (["query", "label"], PATTERN_RULES[LABEL_PATTERN])
    ]


@pytest.mark.parametrize("label", ['<a & "b">', "株洲 · GDP", "\u0085x", "x\U0001f600", " x "])
def test_every_label_we_accept_makes_well_formed_svg(client: TestClient, label: str) -> None:
    response = client.get(f"/embed/metrics/{GDP}/badge.svg", params={"label": label})
    assert response.status_code == 200
    texts = [
        t.text
        for t in ElementTree.fromstring(response.content).iter("{http://www.w3.org/2000/svg}text")
    ]
    assert label in texts


def test_head_and_options_come_from_the_edge(client: TestClient) -> None:
    url = f"/embed/metrics/{GDP}"
    head = client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == client.get(url).headers["etag"]
    options = client.options("/embed/indicators/gdp/chart")
    assert options.status_code == 204 and options.headers["allow"] == "GET, HEAD, OPTIONS"


def test_oembed_answers_for_a_card_and_a_chart(client: TestClient) -> None:
    card = client.get(
        "/oembed",
        params={"url": f"http://testserver/embed/metrics/{GDP}?lang=en", "maxwidth": 400},
    ).json()
    assert (card["type"], card["version"], card["width"]) == ("rich", "1.0", 400)
    assert card["title"].startswith("Gross regional product")
    assert f'src="http://testserver/embed/metrics/{GDP}?lang=en"' in card["html"]
    chart = client.get(
        "/oembed", params={"url": "http://testserver/embed/indicators/gdp/chart", "format": "json"}
    ).json()
    assert chart["title"] == "地区生产总值(年度)"


def test_pages_write_absolute_urls_under_the_public_base(prefixed: TestClient) -> None:
    html = prefixed.get(f"/embed/metrics/{GDP}?lang=en").text
    base = "https://facts.example/facts"
    assert f'<link rel="canonical" href="{base}/embed/metrics/{GDP}?lang=en">' in html
    assert f"{base}/oembed?url=https%3A%2F%2Ffacts.example%2Ffacts%2Fembed%2Fmetrics%2F" in html
    assert f'href="{base}/static/embed/embed.css?v=' in html
    assert f'href="{base}/v1/metrics/{GDP}"' in html
    dashboard = prefixed.get("/").text
    assert f'data-base="{base}"' in dashboard and f'src="{base}/static/dashboard/' in dashboard
    chart = prefixed.get("/embed/indicators/gdp/chart").text
    assert f'src="{base}/static/vendor/plot-0.6.17/plot.umd.min.js"' in chart
    assert f"{base}/v1/indicators/gdp" in chart
    oembed = prefixed.get("/oembed", params={"url": f"{base}/embed/indicators/gdp/chart"})
    assert oembed.status_code == 200
    assert 'e.origin!=="https://facts.example"' in oembed.json()["html"]


def test_a_page_asked_for_by_two_hosts_is_two_responses(client: TestClient) -> None:
    url = f"/embed/metrics/{GDP}"
    one = client.get(url, headers={"host": "one.example"})
    two = client.get(url, headers={"host": "two.example"})
    again = client.get(url, headers={"host": "one.example"})
    assert "http://one.example/v1/" in one.text and "one.example" not in two.text
    assert (
        one.headers["etag"]
        != two.headers["etag"]
        == client.get(url, headers={"host": "two.example"}).headers["etag"]
    )
    assert again.text == one.text and again.headers["etag"] == one.headers["etag"]
    # A validator of one host's page does not revalidate the other's.
    other = client.get(url, headers={"host": "two.example", "if-none-match": one.headers["etag"]})
    assert other.status_code == 200


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        ("embed/embed.css", "text/css; charset=utf-8"),
        ("embed/resize.js", "text/javascript; charset=utf-8"),
        ("embed/chart.js", "text/javascript; charset=utf-8"),
        ("dashboard/dashboard.js", "text/javascript; charset=utf-8"),
        ("vendor/plot-0.6.17/plot.umd.min.js", "text/javascript; charset=utf-8"),
    ],
)
def test_static_files_are_served_with_their_type(
    client: TestClient, path: str, media_type: str
) -> None:
    response = client.get(static_url(path))
    assert response.status_code == 200
    assert response.headers["content-type"] == media_type
    assert response.content == (STATIC_DIR / path).read_bytes()


def test_the_dashboard_names_the_data_it_shows(client: TestClient) -> None:
    html = client.get("/?lang=en").text
    assert '<html lang="en"' in html and "Zhuzhou facts" in html
    assert re.search(r'data-headlines="[a-z0-9,-]+"', html) and 'data-chart="gdp"' in html


@pytest.mark.parametrize(
    "page", [f"/embed/metrics/{GDP}?lang=en", "/embed/indicators/gdp/chart?lang=en"]
)
def test_the_readme_snippets_are_what_oembed_gives(api_settings: Settings, page: str) -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    base = "http://127.0.0.1:8000"  # where the README's run command serves
    with TestClient(create_app(api_settings), base_url=base) as there:
        snippet = there.get("/oembed", params={"url": base + page}).json()["html"]
        card = there.get(f"/embed/metrics/{GDP}").text
    assert snippet.replace("</iframe><script>", "</iframe>\n<script>") in readme
    discovery = re.search(r'<link rel="alternate" type="application/json\+oembed"[^>]*>', card)
    assert discovery is not None
    assert discovery.group(0).split(' title="')[0] in readme


def test_behind_a_path_prefix_a_real_server_serves_the_pages_and_their_files(
    tmp_path: Path,
) -> None:
    # uvicorn --root-path /facts, as behind a proxy that strips /facts: the pages write it back.
    database = f"sqlite:///{tmp_path / 'facts.sqlite3'}"
    with (
        uvicorn_server(database, "--root-path", "/facts", AUTO_SEED="true") as base,
        httpx.Client(base_url=base, trust_env=False, timeout=10) as http,
    ):
        html = http.get("/embed/indicators/gdp/chart?lang=en").text
        files = re.findall(r'(?:src|href)="http://127\.0\.0\.1:\d+/facts(/static/[^"]+)"', html)
        assert len(files) == 5  # embed.css, resize.js, d3, Plot, chart.js
        for path in files:
            assert http.get(path.replace("&amp;", "&")).status_code == 200, path
        assert f'data-base="{base}/facts"' in http.get("/").text
