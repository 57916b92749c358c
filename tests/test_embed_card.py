"""The fact card: every metric of the dataset renders, checkable against its source."""

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.embed.card import card_context, render_card
from app.api.embed.urls import card_url, oembed_url

BASE = "https://facts.example"


class Page(HTMLParser):
    """The parts of a page the tests look at: tags with attributes, and marked text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.marks: list[str] = []
        self._in_mark = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_mark = tag == "mark"

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._in_mark = False

    def handle_data(self, data: str) -> None:
        if self._in_mark:
            self.marks.append(data)

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


@pytest.fixture(scope="module")
def metrics(client: TestClient) -> list[dict[str, Any]]:
    """Every metric the API serves."""
    items: list[dict[str, Any]] = client.get("/v1/metrics", params={"limit": 500}).json()["items"]
    return items


@pytest.fixture(scope="module")
def gdp(metrics: list[dict[str, Any]]) -> dict[str, Any]:
    return next(m for m in metrics if m["id"] == "gdp-2021-q1-q3")


def test_every_metric_renders_in_both_languages_with_its_number_highlighted(
    metrics: list[dict[str, Any]],
) -> None:
    for metric in metrics:
        for lang in ("zh", "en"):
            page = Page(render_card(metric, lang=lang, base_url=BASE))
            assert page.marks, metric["id"]
            assert set(page.marks) == {metric["as_written"]}, metric["id"]


def test_the_card_shows_the_value_as_written_and_normalised(gdp: dict[str, Any]) -> None:
    zh = render_card(gdp, lang="zh", base_url=BASE)
    en = render_card(gdp, lang="en", base_url=BASE)
    assert '<data value="248710000000">2487.1亿元</data>' in zh
    assert "248,710,000,000元" in zh
    assert '<data value="248710000000">248.71 billion yuan</data>' in en
    assert "248,710,000,000 CNY" in en and "2487.1亿元" in en


def test_the_card_links_to_its_record_and_to_the_document_text(gdp: dict[str, Any]) -> None:
    links = [a["href"] for a in Page(render_card(gdp, base_url=BASE)).all("a")]
    assert f"{BASE}/v1/metrics/gdp-2021-q1-q3" in links
    text = [href for href in links if href and "/text" in href]
    assert text and text[0].startswith(f"{BASE}/v1/documents/zhuzhou-2021-11-09/text#:~:text=")


def test_the_card_cites_paragraph_and_offsets(gdp: dict[str, Any]) -> None:
    assert "第43段，字符 3558–3578" in render_card(gdp, lang="zh", base_url=BASE)
    assert "paragraph 43, characters 3558–3578" in render_card(gdp, lang="en", base_url=BASE)


@pytest.mark.parametrize(
    ("metric_id", "zh", "en"),
    [
        ("gdp-past-5-years", "超过", "more than"),
        ("target-gdp", "以上", "at least"),
        ("innovation-competitiveness-rank", "前100名以内", "within the top 100"),
        ("target-new-100-billion-clusters", "区间：2至3", "a range, 2–3"),
    ],
)
def test_the_qualifier_is_in_words(
    metrics: list[dict[str, Any]], metric_id: str, zh: str, en: str
) -> None:
    metric = next(m for m in metrics if m["id"] == metric_id)
    assert card_context(metric, lang="zh", base_url=BASE)["qualifier_words"] == zh
    assert card_context(metric, lang="en", base_url=BASE)["qualifier_words"] == en


def test_an_expression_written_twice_in_its_quote_is_marked_twice_and_said_so(
    metrics: list[dict[str, Any]],
) -> None:
    metric = next(m for m in metrics if m["id"] == "qingshuitang-residents-resettled-2018")
    html = render_card(metric, lang="en", base_url=BASE)
    assert Page(html).marks == ["3万", "3万"]
    assert "occurs 2 times" in html


def test_language_and_theme_reach_the_page(gdp: dict[str, Any]) -> None:
    page = Page(render_card(gdp, lang="en", theme="dark", base_url=BASE))
    html_tag = page.all("html")[0]
    assert (html_tag["lang"], html_tag["data-theme"]) == ("en", "dark")
    assert Page(render_card(gdp, base_url=BASE)).all("html")[0]["lang"] == "zh-Hans"


def test_the_card_has_oembed_discovery_and_its_canonical_url(gdp: dict[str, Any]) -> None:
    page = Page(render_card(gdp, lang="en", base_url=BASE))
    links = {attrs["rel"]: attrs for attrs in page.all("link")}
    url = card_url(BASE, "gdp-2021-q1-q3", "en")
    assert links["canonical"]["href"] == url
    assert links["alternate"]["type"] == "application/json+oembed"
    assert links["alternate"]["href"] == oembed_url(BASE, url)


def test_the_card_loads_nothing_from_elsewhere_and_runs_no_inline_script(
    gdp: dict[str, Any],
) -> None:
    page = Page(render_card(gdp, base_url=BASE))
    sources = [a.get("src") for a in page.all("script")] + [
        a.get("href") for a in page.all("link") if a.get("rel") == "stylesheet"
    ]
    assert sources and all(s and s.startswith(f"{BASE}/static/") for s in sources)
    assert all(a.get("src") for a in page.all("script")), "inline scripts break the CSP"
    assert "style=" not in render_card(gdp, base_url=BASE)


def test_markup_in_the_data_is_escaped(gdp: dict[str, Any]) -> None:
    hostile = gdp | {
        "name": {"zh": "<script>x</script>", "en": "<img src=x>"},
        "source": gdp["source"] | {"quote": "<b>2487.1亿元</b>"},
    }
    html = render_card(hostile, lang="en", base_url=BASE)
    assert "<script>x" not in html and "<img src=x>" not in html and "<b>" not in html
    assert re.search(r"&lt;b&gt;<mark>2487\.1亿元</mark>&lt;/b&gt;", html)


def test_a_metric_with_no_period_says_so(metrics: list[dict[str, Any]]) -> None:
    metric = next(m for m in metrics if m["id"] == "academicians")
    assert "原文未注明时期" in render_card(metric, base_url=BASE)
    assert "No period stated in the text" in render_card(metric, lang="en", base_url=BASE)


def test_a_level_reached_by_a_date_shows_the_reference_with_the_written_span_once(
    metrics: list[dict[str, Any]],
) -> None:
    metric = next(m for m in metrics if m["id"] == "gdp-past-5-years")
    assert metric["period"]["type"] == "as_of"
    html = render_card(metric, lang="en", base_url=BASE)
    assert html.count("By the end of 2020 (past five years, 2016–2020)") == 1
    assert "by the end of 2020" not in html  # the label says it already
    assert "span as written" not in html  # ...and the span as written too
