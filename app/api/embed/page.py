"""What the template of every embed page (card, chart) is given besides its own data."""

from typing import Any

from . import urls
from .assets import render
from .view import Lang, Theme
from .words import PUNCTUATION, ui


def render_page(
    template: str, *, lang: Lang, theme: Theme, base_url: str, page_url: str, **context: Any
) -> str:
    """`template` rendered with `context` plus the page's language and theme, `t(key, **values)`
    (its interface words), `p` (its punctuation), its own URL and its oEmbed discovery URL."""
    return render(
        template,
        lang=lang,
        theme=theme,
        t=lambda key, **values: ui(key, lang, **values),
        p=PUNCTUATION[lang],
        base_url=base_url,
        page_url=page_url,
        oembed_url=urls.oembed_url(base_url, page_url),
        **context,
    )
