"""The embeds in Debian's headless Chromium (Playwright), with every non-loopback request blocked.

Until the routes are wired into app/api/, a small harness serves them: the real API app for
`/v1/…`, the renderers of app/api/embed for `/`, `/embed/…` and `/oembed`, and app/api/static
for `/static/…`, each page with the headers of app/api/embed/csp.py. A second server on another
loopback port plays the third-party page that frames a card.

Run `python -m tests.test_embed_browser [PORT]` to browse the harness (over `DATABASE_URL`,
default /tmp/embed-proto.sqlite3, which must exist: start `zhuzhou-facts serve` once).
"""

import base64
import hashlib
import json
import os
import shutil
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api.embed import csp
from app.api.embed.assets import STATIC_DIR
from app.api.embed.badge import render_badge
from app.api.embed.card import render_card
from app.api.embed.chart import render_chart_page
from app.api.embed.dashboard import render_dashboard
from app.api.embed.oembed import (
    OEmbedError,
    build_oembed,
    check_format,
    parse_embed_url,
    title_for,
)
from app.api.embed.view import LANGS, THEMES, Lang, Theme
from app.config import Settings
from app.main import create_app
from tests.conftest import require_service

SCREENSHOTS = Path(os.environ.get("EMBED_SCREENSHOTS", "/tmp/embed-screenshots"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",  # CI runs as root
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# ---- the harness --------------------------------------------------------------------------


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": "error", "status": status, "detail": detail},
        status_code=status,
        media_type="application/problem+json",
    )


class Harness:
    """The embed routes in front of the real API app (lifespan passes through to it)."""

    def __init__(self, api: ASGIApp) -> None:
        self.api = api
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=api), base_url="http://api"
        )
        self.pages = Starlette(
            routes=[
                Route("/", self.dashboard),
                Route("/embed/metrics/{id}", self.card),
                Route("/embed/metrics/{id}/badge.svg", self.badge),
                Route("/embed/indicators/{id}/chart", self.chart),
                Route("/oembed", self.oembed),
                Mount("/static", StaticFiles(directory=STATIC_DIR)),
            ]
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] == "http" and (
            path == "/" or path.startswith(("/embed/", "/static/", "/oembed"))
        ):
            await self.pages(scope, receive, send)
        else:
            await self.api(scope, receive, send)

    async def get(self, path: str) -> dict[str, Any] | None:
        response = await self.client.get(path)
        return response.json() if response.status_code == 200 else None

    async def subject_name(self, record: dict[str, Any]) -> Any:
        kind = "industry-chains" if record.get("subject_type") == "industry_chain" else "entities"
        found = await self.get(f"/v1/{kind}/{record.get('subject')}")
        return found and found.get("name")

    @staticmethod
    def options(request: Request) -> tuple[Lang, Theme, str]:
        lang = request.query_params.get("lang", "zh")
        theme = request.query_params.get("theme", "light")
        base = str(request.base_url).rstrip("/")
        return (lang if lang in LANGS else "zh"), (theme if theme in THEMES else "light"), base  # type: ignore[return-value]

    async def dashboard(self, request: Request) -> Response:
        lang, theme, _ = self.options(request)
        return HTMLResponse(
            render_dashboard(lang=lang, theme=theme), headers=csp.HEADERS["dashboard"]
        )

    async def card(self, request: Request) -> Response:
        lang, theme, base = self.options(request)
        metric = await self.get(f"/v1/metrics/{request.path_params['id']}")
        if metric is None:
            return _problem(404, "No such metric.")
        document = await self.get(f"/v1/documents/{metric['source']['document']}")
        html = render_card(
            metric,
            lang=lang,
            theme=theme,
            base_url=base,
            subject_name=await self.subject_name(metric),
            document_title=document and document.get("title"),
        )
        return HTMLResponse(html, headers=csp.HEADERS["card"])

    async def badge(self, request: Request) -> Response:
        lang, _, _ = self.options(request)
        metric = await self.get(f"/v1/metrics/{request.path_params['id']}")
        if metric is None:
            return _problem(404, "No such metric.")
        return Response(
            render_badge(metric, lang=lang),
            media_type="image/svg+xml; charset=utf-8",
            headers=csp.HEADERS["badge"],
        )

    async def chart(self, request: Request) -> Response:
        lang, theme, base = self.options(request)
        indicator = await self.get(f"/v1/indicators/{request.path_params['id']}")
        if indicator is None:
            return _problem(404, "No such indicator.")
        names = {}
        for item in indicator["items"]:
            names.setdefault(item["subject"], await self.subject_name(item))
        html = render_chart_page(
            indicator, lang=lang, theme=theme, base_url=base, subject_names=names
        )
        return HTMLResponse(html, headers=csp.HEADERS["chart"])

    async def oembed(self, request: Request) -> Response:
        _, _, base = self.options(request)
        try:
            check_format(request.query_params.get("format"))
            target = parse_embed_url(request.query_params.get("url", ""), base_url=base)
            kind = "metrics" if target.kind == "metric" else "indicators"
            record = await self.get(f"/v1/{kind}/{target.id}")
            if record is None:
                raise OEmbedError(404, "No such record.")
            limits = {
                key: int(request.query_params[key])
                for key in ("maxwidth", "maxheight")
                if request.query_params.get(key, "").isdigit()
            }
            body = build_oembed(
                target, title=title_for(target, record), base_url=base, cache_age=300, **limits
            )
        except OEmbedError as error:
            return _problem(error.status, error.detail)
        return JSONResponse(body)


def harness_app(settings: Settings) -> Harness:
    """The harness over an API app built from `settings`."""
    return Harness(create_app(settings))


class ServerThread:
    """A uvicorn server for an ASGI app on a free loopback port, in a thread."""

    def __init__(self, app: ASGIApp) -> None:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port: int = sock.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="auto"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "ServerThread":
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the harness server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


# ---- the tests ----------------------------------------------------------------------------

pytestmark = pytest.mark.browser

HEADLINES = 6


@pytest.fixture(scope="module")
def site(api_settings: Settings) -> Iterator[str]:
    """The harness on a loopback port over the shared seeded database; its base URL."""
    with ServerThread(harness_app(api_settings)) as server:
        yield server.base


@pytest.fixture(scope="module")
def third_party(site: str) -> Iterator[str]:
    """Another origin (another loopback port) whose page pastes our oEmbed snippets."""
    with httpx.Client(trust_env=False, timeout=10) as http:
        snippets = [
            http.get(f"{site}/oembed", params={"url": f"{site}{path}", "format": "json"}).json()[
                "html"
            ]
            for path in ("/embed/metrics/gdp-2021-q1-q3?lang=en", "/embed/indicators/gdp/chart")
        ]
    page = (
        "<!doctype html><meta charset=utf-8><title>A blog</title>"
        "<body style='max-width:640px;margin:20px auto;font-family:sans-serif'>"
        "<h1>Someone else's page</h1>" + "<p>…</p>".join(snippets) + "</body>"
    )

    async def home(request: Request) -> Response:
        return HTMLResponse(page)

    with ServerThread(Starlette(routes=[Route("/", home)])) as server:
        yield server.base


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
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if locator is None:
            self.page.screenshot(path=str(path), full_page=True)
        else:
            locator.screenshot(path=str(path))
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
    page.locator("#chart").get_by_role("button", name="Embed this").click()
    chart_code = page.locator("#chart textarea").first
    chart_code.wait_for()
    assert f"{site}/embed/indicators/gdp/chart?lang=en" in chart_code.input_value()
    w.shot("dashboard-embed-this", cell)
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
    w.shot("third-party-page")
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
    w.shot(f"card-{metric_id}-{lang}-{theme}", page.locator("article"))
    w.check()


CHARTS = [
    "gdp",
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
    page = w.page
    page.goto(f"{site}/embed/indicators/{indicator_id}/chart?lang={lang}")
    page.wait_for_selector("#zf-chart[data-drawn]")
    data = json.loads(page.locator("#zf-chart-data").text_content() or "{}")
    items = _api(site, f"/v1/indicators/{indicator_id}")["items"]
    assert page.locator("#zf-chart").get_attribute("data-drawn") == str(len(items))
    # Each observation is one mark (dot, bound or range bar) labelled with its value and period.
    labels = page.eval_on_selector_all(
        "svg.zf-plot :not(g):not(svg)[aria-label]",
        "els => els.map(e => e.getAttribute('aria-label'))",
    )
    assert sorted(labels) == sorted(o["aria"] for o in data["observations"])
    for svg in page.locator("svg.zf-plot").all():
        assert svg.locator("title").count() == 1 and svg.locator("desc").count() == 1
        assert svg.get_attribute("role") == "img"
    w.shot(f"chart-{indicator_id}-{lang}")
    w.check()


def test_hover_shows_a_tip_and_click_shows_the_source_quote(
    site: str, watched: Callable[..., Watched]
) -> None:
    w = watched(viewport={"width": 760, "height": 700}, device_scale_factor=2)
    page = w.page
    page.goto(f"{site}/embed/indicators/gdp/chart")
    page.wait_for_selector("#zf-chart[data-drawn]")
    dot = page.locator("svg.zf-plot circle").first
    dot.hover()
    tip = page.locator('svg.zf-plot g[aria-label="tip"] text')
    tip.first.wait_for()
    assert "2487.1亿元" in tip.first.text_content()  # type: ignore[operator]
    w.shot("chart-gdp-tip")
    box = dot.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    detail = page.locator("#zf-detail")
    detail.wait_for(state="visible")
    assert detail.locator("mark").inner_text() == "2487.1亿元"
    assert detail.locator("a").first.get_attribute("href").endswith("/v1/metrics/gdp-2021-q1-q3")  # type: ignore[union-attr]
    w.shot("chart-gdp-click")
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
    images = "".join(
        f'<p><img src="{site}/embed/metrics/{m}/badge.svg{q}" alt=""></p>'
        for m in ("gdp-2021-q1-q3", "target-gdp", "innovation-competitiveness-rank")
        for q in ("", "?lang=en")
    )
    page.set_content(f"<body style='margin:12px;background:#fff'>{images}</body>")
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)"
    )
    sizes = page.eval_on_selector_all(
        "img", "imgs => imgs.map(i => [i.naturalWidth, i.naturalHeight])"
    )
    assert all(h == 20 and w_ > 60 for w_, h in sizes)
    w.shot("badges")
    w.check()


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8732
    url = os.environ.get("DATABASE_URL", "sqlite:////tmp/embed-proto.sqlite3")
    uvicorn.run(
        harness_app(Settings(database_url=url, auto_seed=False)),
        host="127.0.0.1",
        port=port,
        log_level="info",
    )
