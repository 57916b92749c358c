"""oEmbed (https://oembed.com/, §2.3.4 `rich`) for the card and chart, and the embed snippets."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from . import numbers, urls
from .assets import json_script
from .view import LANGS, THEMES, Lang, Metric, Text, Theme

EmbedKind = Literal["metric", "indicator"]
MESSAGE_TYPE = "zhuzhou-facts:height"
PROVIDER_NAME = "Zhuzhou facts"
# Sizes an iframe starts at before the page reports its height.
DEFAULT_SIZE: dict[EmbedKind, tuple[int, int]] = {"metric": (560, 400), "indicator": (720, 560)}
_SLUG = r"([A-Za-z0-9][A-Za-z0-9._~-]*)"
_PATHS: dict[EmbedKind, re.Pattern[str]] = {
    "metric": re.compile(rf"/embed/metrics/{_SLUG}"),
    "indicator": re.compile(rf"/embed/indicators/{_SLUG}/chart"),
}


class OEmbedError(Exception):
    """A request oEmbed answers with an error status: 404 not ours, 501 unsupported format."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


@dataclass(frozen=True)
class EmbedTarget:
    """What an embed URL names: a metric's card or an indicator's chart, in a language and theme."""

    kind: EmbedKind
    id: str
    lang: Lang
    theme: Theme

    def page_url(self, base_url: str) -> str:
        """The canonical URL of the page (defaults left out)."""
        if self.kind == "metric":
            return urls.card_url(base_url, self.id, self.lang, self.theme)
        return urls.chart_url(base_url, self.id, self.lang, self.theme)


def title_for(target: EmbedTarget, raw: Mapping[str, Any]) -> str:
    """The title of an embed in its language: `name: value` for a card, the name for a chart
    (`raw` is the metric's or the indicator's public JSON)."""
    if target.kind == "metric":
        metric = Metric.of(raw)
        colon = "：" if target.lang == "zh" else ": "
        name, _ = metric.name.pick(target.lang, metric.id)
        return f"{name}{colon}{numbers.readable(metric, target.lang)}"
    return Text.of(raw["name"]).pick(target.lang, target.id)[0]


def check_format(requested: str | None) -> None:
    """oEmbed's `format`: json only; anything else is 501 Not Implemented, as §2.3 says."""
    if requested not in (None, "", "json"):
        raise OEmbedError(501, f"Format {requested!r} is not supported; use format=json.")


def parse_embed_url(url: str, *, base_url: str) -> EmbedTarget:
    """The card or chart a URL of ours names; OEmbedError(404) for any other URL."""
    parts = urlsplit(url)
    home = urlsplit(base_url)
    same_origin = (parts.scheme, parts.netloc.lower()) == (home.scheme, home.netloc.lower())
    path = parts.path.removeprefix(home.path.rstrip("/"))
    for kind, pattern in _PATHS.items():
        match = pattern.fullmatch(path)
        if same_origin and match:
            query = parse_qs(parts.query)
            lang = query.get("lang", ["zh"])[-1]
            theme = query.get("theme", ["light"])[-1]
            if lang not in LANGS or theme not in THEMES:
                raise OEmbedError(404, "lang must be zh or en, theme light or dark.")
            return EmbedTarget(kind, match.group(1), lang, theme)
    raise OEmbedError(
        404,
        "Not an embeddable URL of this service, which embeds cards at "
        f"{base_url}/embed/metrics/{{id}} and charts at {base_url}/embed/indicators/{{id}}/chart "
        "(the scheme, host and port must be the ones this request was sent to).",
    )


def resize_script(origin: str) -> str:
    """The one-line script that sizes our iframes on a page from their height messages. The
    origin is written as a JSON string escaped for a script element (`json_script`: no quote,
    `<`, `>`, `&`, U+2028 or U+2029 of it can end the string or the element)."""
    return (
        '<script>addEventListener("message",function(e){var d=e.data;'
        f"if(e.origin!=={json_script(origin)}||!d||d.type!=={json_script(MESSAGE_TYPE)})return;"
        'for(var f of document.querySelectorAll("iframe"))'
        'if(f.contentWindow===e.source)f.style.height=d.height+"px"})</script>'
    )


def _attr(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")
    )


def iframe(src: str, *, title: str, width: int, height: int) -> str:
    """The iframe tag of an embed: full width up to `width`, `height` until the page reports."""
    return (
        f'<iframe src="{_attr(src)}" title="{_attr(title)}" width="{width}" height="{height}" '
        f'style="border:0;width:100%;max-width:{width}px" loading="lazy"></iframe>'
    )


def embed_snippet(src: str, *, title: str, width: int, height: int, base_url: str) -> str:
    """What a page pastes: the iframe and the script that keeps it as tall as its content."""
    return iframe(src, title=title, width=width, height=height) + resize_script(
        web_origin(base_url)
    )


DEFAULT_PORTS = {"http": 80, "https": 443}


def web_origin(base_url: str) -> str:
    """The origin a browser reports for pages under base_url (`MessageEvent.origin`), in
    RFC 6454 §6.2's ASCII serialisation: scheme and host in lower case, the port only when it
    is not the scheme's default (`HTTP://LOCALHOST:80/facts` → `http://localhost`)."""
    parts = urlsplit(base_url)
    scheme, host = parts.scheme.lower(), (parts.hostname or "")
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    port = parts.port
    return f"{scheme}://{host}" + ("" if port in (None, DEFAULT_PORTS.get(scheme)) else f":{port}")


def badge_markdown(base_url: str, metric_id: str, lang: Lang, alt: str) -> str:
    """The badge as Markdown, linked to its card: for READMEs and wikis."""
    badge = urls.badge_url(base_url, metric_id, lang)
    card = urls.card_url(base_url, metric_id, lang)
    alt = alt.replace("[", "(").replace("]", ")")
    return f"[![{alt}]({badge})]({card})"


def build_oembed(
    target: EmbedTarget,
    *,
    title: str,
    base_url: str,
    maxwidth: int | None = None,
    maxheight: int | None = None,
    cache_age: int | None = None,
) -> dict[str, Any]:
    """The oEmbed `rich` response for one card or chart (title from the record, in its lang)."""
    width, height = DEFAULT_SIZE[target.kind]
    if maxwidth is not None:
        width = max(1, min(width, maxwidth))
    if maxheight is not None:
        height = max(1, min(height, maxheight))
    src = target.page_url(base_url)
    response: dict[str, Any] = {
        "version": "1.0",
        "type": "rich",
        "title": title,
        "provider_name": PROVIDER_NAME,
        "provider_url": f"{base_url}/",
        "html": embed_snippet(src, title=title, width=width, height=height, base_url=base_url),
        "width": width,
        "height": height,
    }
    if cache_age is not None:
        response["cache_age"] = cache_age
    return response
