"""The dashboard and the embeds in Debian's headless Chromium (Playwright), against a real
uvicorn running `app.main:app` (tests/live.py), with every request off the machine aborted.

A second server on another loopback port (Python's http.server) plays the third-party page
that pastes our oEmbed snippets. The screenshots the README shows are taken here: the
dashboard, a card, a chart and a badge, in zh and en. They go to a temporary directory, so a test
run leaves the checkout as it found it; `UPDATE_SCREENSHOTS=1` writes them to docs/screenshots/
(SCREENSHOTS) instead, to refresh the README's.
"""

import atexit
import base64
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from app.api.embed import csp
from app.config import PROJECT_ROOT
from tests.conftest import require_service
from tests.live import static_site

SCREENSHOTS = PROJECT_ROOT / "docs" / "screenshots"
SHOTS = (
    SCREENSHOTS
    if os.environ.get("UPDATE_SCREENSHOTS") == "1"
    else Path(tempfile.mkdtemp(prefix="zhuzhou-screenshots-"))
)
if SHOTS != SCREENSHOTS:
    atexit.register(shutil.rmtree, SHOTS, ignore_errors=True)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The files the README shows, each written by one test below.
README_SCREENSHOTS = [
    f"{what}-{lang}.png"
    for what in ("dashboard", "card", "chart", "badge")
    for lang in ("zh", "en")
]
TOP_OF_PAGE = {"x": 0, "y": 0, "width": 1280, "height": 1480}
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# ---- the tests ----------------------------------------------------------------------------

pytestmark = pytest.mark.browser

HEADLINES = 6
CARD = "gdp-2021-q1-q3"  # the card the README shows


@pytest.fixture(scope="module")
def site(live_server: str) -> str:
    """Our server: `uvicorn app.main:app` on a loopback port; its base URL."""
    return live_server


@pytest.fixture(scope="module")
def third_party(site: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Another origin (another loopback port) whose page pastes our oEmbed snippets."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        snippets = [
            http.get(f"{site}/oembed", params={"url": f"{site}{path}", "format": "json"}).json()[
                "html"
            ]
            for path in (f"/embed/metrics/{CARD}?lang=en", "/embed/indicators/gdp/chart")
        ]
    folder = tmp_path_factory.mktemp("third-party")
    (folder / "index.html").write_text(
        "<!doctype html><meta charset=utf-8><title>A blog</title>"
        "<body style='max-width:640px;margin:20px auto;font-family:sans-serif'>"
        "<h1>Someone else's page</h1>" + "<p>…</p>".join(snippets) + "</body>",
        encoding="utf-8",
    )
    with static_site(folder) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium, driven by Playwright (never `playwright install`)."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        chromium = None
    if chromium is None:
        require_service("chromium and the playwright package are needed")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Watched:
    """A page with every request checked (loopback only) and every problem recorded."""

    def __init__(self, browser: Any, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.problems: list[str] = []
        self.blocked: list[str] = []
        self.context.add_init_script(
            "addEventListener('securitypolicyviolation', e => console.error("
            "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
        )
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"pageerror: {error}"))

    def _route(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith("data:") or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"{message.type}: {message.text}")

    def check(self) -> None:
        """No console error or warning, no uncaught exception, no request off the machine."""
        assert self.problems == []
        assert self.blocked == []

    def shot(self, name: str, locator: Any = None) -> Path:
        """A screenshot for the README (<name>.png in SHOTS), checked to be a PNG."""
        assert f"{name}.png" in README_SCREENSHOTS, name
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        if locator is None:  # the top of the page: what a reader sees first
            self.page.screenshot(path=str(path), full_page=True, clip=TOP_OF_PAGE)
        else:
            locator.screenshot(path=str(path))
        assert path.read_bytes().startswith(PNG_SIGNATURE), path
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Callable[..., Watched]]:
    opened: list[Watched] = []

    def open_page(**context: Any) -> Watched:
        opened.append(Watched(browser, **{"viewport": {"width": 1280, "height": 900}, **context}))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def _wait_for_sized_frames(page: Any, selector: str, count: int) -> None:
    """Until `count` iframes match and each was sized by a height message."""
    page.wait_for_function(
        """([selector, count]) => {
            const frames = [...document.querySelectorAll(selector)];
            return frames.length === count && frames.every(f => f.style.height.endsWith("px"));
        }""",
        arg=[selector, count],
        timeout=20000,
    )


def _platform_fonts(page: Any, selector: str) -> list[str]:
    """The fonts Chromium really drew a node's text with (DevTools protocol)."""
    cdp = page.context.new_cdp_session(page)
    try:
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        return [font["familyName"] for font in fonts]
    finally:
        cdp.detach()


def _api(site: str, path: str) -> Any:
    with httpx.Client(base_url=site, trust_env=False, timeout=10) as http:
        return http.get(path).json()


def test_the_dashboard_renders_every_section_from_the_api(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site}/")
    _wait_for_sized_frames(page, "#cards iframe", HEADLINES)
    _wait_for_sized_frames(page, "#chart iframe", 1)
    events = _api(site, "/v1/timeline?limit=500")["total"]
    page.wait_for_function(f"() => document.querySelectorAll('#timeline > li').length === {events}")
    chains = page.locator("#chains").inner_text()
    assert "中国动力谷" in chains and "“3+3+2”现代产业体系" in chains and "航空动力" in chains
    assert page.locator("h1").inner_text() == "株洲数据：来自原文的统计事实"
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    page.wait_for_timeout(300)  # the frames' last height messages
    w.shot("dashboard-zh")
    w.check()


def test_the_language_switch_changes_the_page_and_its_embeds(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site}/")
    _wait_for_sized_frames(page, "#cards iframe", HEADLINES)
    page.get_by_role("button", name="English").click()
    page.wait_for_function(
        "() => document.querySelector('h1').textContent.startsWith('Zhuzhou facts')"
    )
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/?lang=en")
    _wait_for_sized_frames(page, "#cards iframe", HEADLINES)
    sources = page.eval_on_selector_all("iframe", "frames => frames.map(f => f.src)")
    assert len(sources) == HEADLINES + 1 and all("lang=en" in s for s in sources)
    page.wait_for_function(
        "() => document.querySelector('#chains').textContent.includes('China Power Valley')"
    )
    page.wait_for_timeout(300)
    w.shot("dashboard-en")
    page.get_by_role("button", name="中文").click()
    page.wait_for_function("() => document.documentElement.lang === 'zh-Hans'")
    w.check()


def test_search_finds_records_in_both_languages(site: str, watched: Callable[..., Watched]) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site}/")
    page.fill("#search-input", "轨道交通")
    page.wait_for_selector("#search-results li")
    assert "株洲轨道交通装备产业集群" in page.locator("#search-results").inner_text()
    page.fill("#search-input", "GDP")
    page.wait_for_function(
        "() => document.querySelector('#search-results').textContent.includes('人均GDP')"
    )
    w.check()


def test_embed_this_gives_the_oembed_snippet_and_the_badge(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched()
    page = w.page
    page.goto(f"{site}/?lang=en")
    _wait_for_sized_frames(page, "#cards iframe", HEADLINES)
    cell = page.locator(".card-cell").first
    cell.get_by_role("button", name="Embed this").click()
    snippet = cell.locator("textarea").first
    snippet.wait_for()
    code = snippet.input_value()
    assert code.startswith(f'<iframe src="{site}/embed/metrics/gdp-2021-q1-q3?lang=en"')
    assert "zhuzhou-facts:height" in code and f'e.origin!=="{site}"' in code
    assert cell.locator("textarea").nth(1).input_value().startswith("[![Gross regional product")
    cell.locator("img").wait_for()
    page.wait_for_function("() => document.querySelector('.card-cell img').naturalWidth > 0")
    # The badge preview stays inside its card's cell (a long label is scaled down, not spilled).
    badge, box = cell.locator("img").bounding_box(), cell.bounding_box()
    assert badge is not None and box is not None
    assert badge["x"] + badge["width"] <= box["x"] + box["width"] + 0.5
    page.locator("#chart").get_by_role("button", name="Embed this").click()
    chart_code = page.locator("#chart textarea").first
    chart_code.wait_for()
    assert f"{site}/embed/indicators/gdp/chart?lang=en" in chart_code.input_value()
    w.check()


def test_a_card_framed_by_another_origin_sizes_its_iframe_by_postmessage(
    site: str, third_party: str, watched: Callable[..., Watched]
) -> None:
    assert urlsplit(site).port != urlsplit(third_party).port
    w = watched(viewport={"width": 800, "height": 900})
    page = w.page
    page.goto(third_party)
    frame = page.locator("iframe").first
    assert frame.get_attribute("height") == "400"
    _wait_for_sized_frames(page, "iframe", 2)
    card = next(f for f in page.frames if f.url.startswith(f"{site}/embed/metrics/"))
    inner = card.evaluate("Math.ceil(document.documentElement.getBoundingClientRect().height)")
    page.wait_for_function(
        "h => document.querySelector('iframe').style.height === h + 'px'", arg=inner
    )
    assert 100 < inner != 400
    box = frame.bounding_box()
    assert box is not None and abs(box["height"] - inner) <= 1
    w.check()


@pytest.mark.parametrize(
    ("metric_id", "lang", "theme"),
    [
        ("gdp-2021-q1-q3", "zh", "light"),
        ("gdp-2021-q1-q3", "en", "light"),
        ("gdp-past-5-years", "en", "dark"),
        ("target-new-100-billion-clusters", "zh", "dark"),
    ],
)
def test_the_card_renders_cjk_with_its_number_marked(
    site: str, watched: Callable[..., Watched], metric_id: str, lang: str, theme: str
) -> None:
    w = watched(viewport={"width": 600, "height": 600}, device_scale_factor=2)
    page = w.page
    page.goto(f"{site}/embed/metrics/{metric_id}?lang={lang}&theme={theme}")
    metric = _api(site, f"/v1/metrics/{metric_id}")
    assert page.locator("blockquote mark").first.inner_text() == metric["as_written"]
    # The quote's Chinese is drawn with a CJK font, not as boxes (fonts-noto-cjk).
    assert any("CJK" in family for family in _platform_fonts(page, "blockquote"))
    if metric_id == CARD and theme == "light":
        w.shot(f"card-{lang}", page.locator("article"))
    w.check()


CHARTS = [
    "gdp",
    "gdp-year-to-date",
    "gdp-growth",
    "surface-water-quality-class",
    "new-100-billion-clusters",
    "innovation-competitiveness-rank",
    "foreign-trade-dependence",
]


@pytest.mark.parametrize("indicator_id", CHARTS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_chart_shows_every_observation_accessibly(
    site: str, watched: Callable[..., Watched], indicator_id: str, lang: str
) -> None:
    w = watched(viewport={"width": 760, "height": 700}, device_scale_factor=2)
    _check_chart(w.page, site, indicator_id, lang)
    if indicator_id == "gdp":
        w.shot(f"chart-{lang}", w.page.locator("section.chart"))
    w.check()


def test_every_indicator_charts_every_observation(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched(viewport={"width": 760, "height": 700})
    indicators = _api(site, "/v1/indicators?limit=500")
    assert indicators["total"] == len(indicators["items"])
    for indicator in indicators["items"]:
        _check_chart(w.page, site, indicator["id"], "zh")
    w.check()


def _check_chart(page: Any, site: str, indicator_id: str, lang: str) -> None:
    """The chart page of a series draws one labelled mark per observation of the series."""
    page.goto(f"{site}/embed/indicators/{indicator_id}/chart?lang={lang}")
    page.wait_for_selector("#zf-chart[data-drawn]")
    data = json.loads(page.locator("#zf-chart-data").text_content() or "{}")
    items = _api(site, f"/v1/indicators/{indicator_id}")["items"]
    assert [o["id"] for o in data["observations"]] == [m["id"] for m in items]
    assert page.locator("#zf-chart").get_attribute("data-drawn") == str(len(items))
    # Each observation is one mark (dot, bound or range bar) labelled with its value and period.
    labels = page.eval_on_selector_all(
        "svg.zf-plot :not(g):not(svg)[aria-label]",
        "els => els.map(e => e.getAttribute('aria-label'))",
    )
    assert sorted(labels) == sorted(o["aria"] for o in data["observations"]), indicator_id
    # ...and no mark hides another: two subjects' equal values in one year sit side by side.
    centres = page.eval_on_selector_all(
        "svg.zf-plot :not(g):not(svg)[aria-label]",
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return [r.x + r.width / 2, r.y + r.height / 2]; })",
    )
    for i, (x, y) in enumerate(centres):
        for x2, y2 in centres[i + 1 :]:
            assert abs(x - x2) > 4 or abs(y - y2) > 4, (indicator_id, x, y)
    # ...and every y tick label is whole: none starts left of its plot (8-digit counts).
    cut = page.eval_on_selector_all(
        "svg.zf-plot",
        "svgs => svgs.flatMap(svg => { const left = svg.getBoundingClientRect().left;"
        " return [...svg.querySelectorAll('g[aria-label=\"y-axis tick label\"] text')]"
        ".filter(t => t.getBoundingClientRect().left < left - 0.5).map(t => t.textContent); })",
    )
    assert cut == [], (indicator_id, cut)
    for svg in page.locator("svg.zf-plot").all():
        assert svg.locator("title").count() == 1 and svg.locator("desc").count() == 1
        assert svg.get_attribute("role") == "img"


def test_hover_shows_a_tip_and_click_shows_the_source_quote(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched(viewport={"width": 760, "height": 700}, device_scale_factor=2)
    page = w.page
    page.goto(f"{site}/embed/indicators/gdp-year-to-date/chart")
    page.wait_for_selector("#zf-chart[data-drawn]")
    dot = page.locator("svg.zf-plot circle").first
    dot.hover()
    tip = page.locator('svg.zf-plot g[aria-label="tip"] text')
    tip.first.wait_for()
    assert "2487.1亿元" in tip.first.text_content()  # type: ignore[operator]
    box = dot.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = page.locator("#zf-detail")
    detail.wait_for(state="visible")
    assert detail.locator("mark").inner_text() == "2487.1亿元"
    assert detail.locator("a").first.get_attribute("href").endswith(f"/v1/metrics/{CARD}")  # type: ignore[union-attr]
    # A value with a curator's note shows it with the quote (the Xiang River's class before 2016).
    page.goto(f"{site}/embed/indicators/surface-water-quality-class/chart?lang=en")
    page.wait_for_selector("#zf-chart[data-drawn]")
    undated = page.locator(".panel-undated svg.zf-plot circle").first
    box = undated.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail.wait_for(state="visible")
    assert "improved in 2016" in detail.locator("p.note").inner_text()
    w.check()


def test_plots_stylesheet_is_the_one_the_chart_policy_allows(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched()
    w.page.goto(f"{site}/embed/indicators/gdp/chart")
    w.page.wait_for_selector("#zf-chart[data-drawn]")
    text = w.page.locator("svg.zf-plot style").first.text_content() or ""
    digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == csp.plot_style_hash()
    w.check()


@pytest.mark.parametrize(
    ("metric_id", "lang"),
    [
        ("gdp-2021-q1-q3", "zh"),
        ("gdp-2021-q1-q3", "en"),
        ("target-gdp", "zh"),
        ("innovation-competitiveness-rank", "en"),
        ("xiangjiang-water-class-2016", "zh"),
    ],
)
def test_badge_text_is_measured_as_chromium_sets_it(
    site: str, watched: Callable[..., Watched], metric_id: str, lang: str
) -> None:
    w = watched()
    page = w.page
    response = page.goto(f"{site}/embed/metrics/{metric_id}/badge.svg?lang={lang}")
    assert response is not None
    assert response.headers["content-type"].startswith("image/svg+xml")
    natural = page.evaluate(
        """() => [...document.querySelectorAll('text')].map(t => {
            const measured = +t.getAttribute('textLength');
            t.removeAttribute('textLength');
            return [measured, t.getComputedTextLength()];
        })"""
    )
    for measured, rendered in natural:
        assert abs(measured - rendered) <= max(20, rendered * 0.03), (measured, rendered)
    w.check()


def test_badges_render_as_images(site: str, watched: Callable[..., Watched]) -> None:
    w = watched(viewport={"width": 640, "height": 200}, device_scale_factor=2)
    page = w.page
    badges = [
        (metric, lang)
        for metric in (CARD, "target-gdp", "innovation-competitiveness-rank")
        for lang in ("zh", "en")
    ]
    images = "".join(
        f'<p><img src="{site}/embed/metrics/{m}/badge.svg?lang={lang}" alt=""></p>'
        for m, lang in badges
    )
    page.set_content(f"<body style='margin:12px;background:#fff'>{images}</body>")
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    )
    sizes = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert all(h == 20 and w_ > 60 for w_, h in sizes)
    for i, (metric, lang) in enumerate(badges):
        if metric == CARD:
            w.shot(f"badge-{lang}", page.locator("img").nth(i))
    w.check()


def test_the_readme_shows_exactly_the_screenshots_the_tests_write() -> None:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    shown = sorted(set(re.findall(r"docs/screenshots/([\w.-]+\.png)", readme)))
    assert shown == sorted(README_SCREENSHOTS)
    assert sorted(p.name for p in SCREENSHOTS.glob("*.png")) == sorted(README_SCREENSHOTS)
