"""oEmbed: which URLs are ours, the `rich` response, the snippet a page pastes."""

import json
import re

import pytest

from app.api.embed.oembed import (
    DEFAULT_SIZE,
    EmbedTarget,
    OEmbedError,
    badge_markdown,
    build_oembed,
    check_format,
    embed_snippet,
    parse_embed_url,
    resize_script,
    title_for,
    web_origin,
)
from tests import embed_shapes as shapes

BASE = "https://facts.example"


@pytest.mark.parametrize(
    ("url", "target"),
    [
        (
            f"{BASE}/embed/metrics/gdp-2021-q1-q3",
            EmbedTarget("metric", "gdp-2021-q1-q3", "zh", "light"),
        ),
        (
            f"{BASE}/embed/metrics/gdp-2021-q1-q3?lang=en&theme=dark",
            EmbedTarget("metric", "gdp-2021-q1-q3", "en", "dark"),
        ),
        (
            f"{BASE}/embed/indicators/gdp/chart?lang=en",
            EmbedTarget("indicator", "gdp", "en", "light"),
        ),
        (
            "HTTPS://FACTS.EXAMPLE/embed/indicators/gdp/chart".replace("HTTPS", "https"),
            EmbedTarget("indicator", "gdp", "zh", "light"),
        ),
    ],
)
def test_our_card_and_chart_urls_are_recognised(url: str, target: EmbedTarget) -> None:
    assert parse_embed_url(url, base_url=BASE) == target


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/embed/metrics/gdp-2021-q1-q3",
        "http://facts.example/embed/metrics/gdp-2021-q1-q3",  # another origin
        f"{BASE}/embed/metrics/gdp-2021-q1-q3/badge.svg",
        f"{BASE}/v1/metrics/gdp-2021-q1-q3",
        f"{BASE}/embed/metrics/",
        f"{BASE}/embed/metrics/gdp?lang=fr",
        f"{BASE}/embed/indicators/gdp/chart?theme=blue",
        "not a url",
    ],
)
def test_any_other_url_is_404(url: str) -> None:
    with pytest.raises(OEmbedError) as raised:
        parse_embed_url(url, base_url=BASE)
    assert raised.value.status == 404
    # The problem says what would be embeddable here, so a host mix-up is plain to see.
    assert f"{BASE}/embed/metrics/{{id}}" in raised.value.detail or "lang" in url or "theme" in url


def test_a_service_under_a_path_prefix_recognises_its_urls() -> None:
    base = "https://host.example/facts"
    target = parse_embed_url(f"{base}/embed/metrics/x", base_url=base)
    assert target.id == "x"
    assert target.page_url(base) == f"{base}/embed/metrics/x"


@pytest.mark.parametrize("fmt", [None, "", "json"])
def test_json_is_the_format(fmt: str | None) -> None:
    check_format(fmt)


def test_xml_is_501() -> None:
    with pytest.raises(OEmbedError) as raised:
        check_format("xml")
    assert raised.value.status == 501


def test_the_rich_response_has_every_required_field() -> None:
    target = EmbedTarget("metric", "gdp-2021-q1-q3", "en", "dark")
    body = build_oembed(target, title="GDP: 248.71 billion yuan", base_url=BASE, cache_age=300)
    assert body["version"] == "1.0" and body["type"] == "rich"
    assert (body["width"], body["height"]) == DEFAULT_SIZE["metric"]
    assert body["provider_url"] == f"{BASE}/" and body["cache_age"] == 300
    src = re.search(r'<iframe src="([^"]+)"', body["html"])
    assert src and src.group(1) == f"{BASE}/embed/metrics/gdp-2021-q1-q3?lang=en&amp;theme=dark"


def test_maxwidth_and_maxheight_are_respected() -> None:
    target = EmbedTarget("indicator", "gdp", "zh", "light")
    body = build_oembed(target, title="t", base_url=BASE, maxwidth=300, maxheight=200)
    assert (body["width"], body["height"]) == (300, 200)
    assert 'width="300" height="200"' in body["html"] and "max-width:300px" in body["html"]
    roomy = build_oembed(target, title="t", base_url=BASE, maxwidth=5000)
    assert roomy["width"] == DEFAULT_SIZE["indicator"][0]


def test_the_snippet_is_an_iframe_and_a_one_line_script_that_checks_the_origin() -> None:
    html = embed_snippet(
        f"{BASE}/embed/metrics/x", title='a "quoted" <title>', width=560, height=400, base_url=BASE
    )
    iframe, script = html.split("<script>")
    assert 'title="a &quot;quoted&quot; &lt;title&gt;"' in iframe
    assert "\n" not in script
    assert 'e.origin!=="https://facts.example"' in script
    assert 'd.type!=="zhuzhou-facts:height"' in script
    assert "f.contentWindow===e.source" in script


@pytest.mark.parametrize(
    "origin",
    [
        'http://a"+alert(document.domain)+"',
        "http://a</script><script>alert(1)</script>",
        'http://a\\"+alert(1)//',
        "http://a\u2028alert(1)\u2029",
        "http://a'+alert(1)+'&amp;",
    ],
)
def test_the_origin_is_one_javascript_string_whatever_it_holds(origin: str) -> None:
    script = resize_script(origin)
    assert script.count("<script>") == 1 and script.count("</script>") == 1
    assert script.endswith("</script>")
    written = re.search(r'e\.origin!==("(?:[^"\\]|\\.)*")\|\|', script)
    assert written, script
    assert json.loads(written.group(1)) == origin  # the same string, back from JSON
    assert not set("<>&\u2028\u2029") & set(written.group(1))


def test_titles_come_from_the_record_in_the_embed_language() -> None:
    metric = shapes.metric(name={"zh": "地区生产总值", "en": "GDP"})
    zh = EmbedTarget("metric", "gdp-2021-q1-q3", "zh", "light")
    en = EmbedTarget("metric", "gdp-2021-q1-q3", "en", "light")
    assert title_for(zh, metric) == "地区生产总值：2487.1亿元"
    assert title_for(en, metric) == "GDP: 248.71 billion yuan"
    chart = EmbedTarget("indicator", "gdp", "en", "light")
    assert title_for(chart, shapes.indicator(metric, name={"zh": "总值", "en": "GDP"})) == "GDP"


def test_the_badge_markdown_links_the_badge_to_its_card() -> None:
    assert badge_markdown(BASE, "gdp-2021-q1-q3", "en", "GDP [Q1–Q3]") == (
        f"[![GDP (Q1–Q3)]({BASE}/embed/metrics/gdp-2021-q1-q3/badge.svg?lang=en)]"
        f"({BASE}/embed/metrics/gdp-2021-q1-q3?lang=en)"
    )


@pytest.mark.parametrize(
    ("base", "origin"),
    [
        ("http://127.0.0.1:8000", "http://127.0.0.1:8000"),
        ("http://LOCALHOST:80", "http://localhost"),
        ("HTTPS://Facts.Example:443/facts", "https://facts.example"),
        ("https://facts.example:8443/facts", "https://facts.example:8443"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://[::1]:80", "http://[::1]"),
        ("http://facts.example:443", "http://facts.example:443"),
    ],
)
def test_the_snippet_checks_the_origin_as_a_browser_serialises_it(base: str, origin: str) -> None:
    assert web_origin(base) == origin
    assert f'e.origin!=="{origin}"' in embed_snippet(
        f"{base}/embed/metrics/x", title="t", width=1, height=1, base_url=base
    )
