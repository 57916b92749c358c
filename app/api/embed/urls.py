"""The URL scheme of the embeds and the links every view carries back to the data."""

from urllib.parse import quote, urlencode

from .view import Lang, Theme

DEFAULT_LANG: Lang = "zh"
DEFAULT_THEME: Theme = "light"


def _query(lang: Lang, theme: Theme | None) -> str:
    params: dict[str, str] = {}
    if lang != DEFAULT_LANG:
        params["lang"] = lang
    if theme is not None and theme != DEFAULT_THEME:
        params["theme"] = theme
    return f"?{urlencode(params)}" if params else ""


def card_url(base_url: str, metric_id: str, lang: Lang, theme: Theme = DEFAULT_THEME) -> str:
    """`/embed/metrics/{id}`, with `lang` and `theme` only when not the defaults."""
    return f"{base_url}/embed/metrics/{quote(metric_id)}{_query(lang, theme)}"


def chart_url(base_url: str, indicator_id: str, lang: Lang, theme: Theme = DEFAULT_THEME) -> str:
    """`/embed/indicators/{id}/chart`, with `lang` and `theme` only when not the defaults."""
    return f"{base_url}/embed/indicators/{quote(indicator_id)}/chart{_query(lang, theme)}"


def badge_url(base_url: str, metric_id: str, lang: Lang) -> str:
    """`/embed/metrics/{id}/badge.svg`, with `lang` only when not the default."""
    return f"{base_url}/embed/metrics/{quote(metric_id)}/badge.svg{_query(lang, None)}"


def oembed_url(base_url: str, page_url: str) -> str:
    """The oEmbed endpoint for one embed page (what discovery links point at)."""
    return f"{base_url}/oembed?{urlencode({'url': page_url, 'format': 'json'})}"


def metric_json_url(base_url: str, metric_id: str) -> str:
    """The metric's record in the API."""
    return f"{base_url}/v1/metrics/{quote(metric_id)}"


def indicator_json_url(base_url: str, indicator_id: str) -> str:
    """The indicator's series in the API."""
    return f"{base_url}/v1/indicators/{quote(indicator_id)}"


def document_text_url(base_url: str, document: str, quote_text: str | None = None) -> str:
    """The stored document text; with a quote, a text fragment that browsers scroll to and mark."""
    url = f"{base_url}/v1/documents/{quote(document)}/text"
    if quote_text:
        # Text fragments (WICG scroll-to-text): '-', '&' and ',' are syntax and must be escaped.
        url += "#:~:text=" + quote(quote_text, safe="")
    return url
