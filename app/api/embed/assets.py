"""The templates and static files of the embeds: one Jinja2 environment, fingerprinted URLs."""

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

API_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = API_DIR / "static"
TEMPLATES_DIR = API_DIR / "templates"
STATIC_PREFIX = "/static"


@cache
def environment() -> jinja2.Environment:
    """Jinja2 with autoescaping for HTML and SVG, and errors for undefined names."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=jinja2.select_autoescape(["html", "svg"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["json_script"] = json_script
    env.filters["html_lang"] = html_lang
    return env


def render(template: str, *, base_url: str, **context: Any) -> str:
    """One template rendered with `context`; `static(path)` in it gives the file's absolute URL
    under `base_url` (the service's public base, `app.api.urls.base_url`)."""
    return (
        environment()
        .get_template(template)
        .render(static=lambda path: static_url(path, base_url), base_url=base_url, **context)
    )


@cache
def _fingerprint(path: str) -> str:
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


def static_url(path: str, base_url: str = "") -> str:
    """`<base_url>/static/<path>?v=<hash of its bytes>`: a new file is a new URL, so caches may
    keep it long. The vendored libraries carry their version in their folder instead."""
    url = f"{base_url}{STATIC_PREFIX}/{path}"
    return url if path.startswith("vendor/") else f"{url}?v={_fingerprint(path)}"


def json_script(data: Any) -> Markup:
    """JSON safe inside `<script type="application/json">`: no `<`, `>` or `&` can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)  # safe: nothing in it can close the script element (escaped above)


def html_lang(lang: str) -> str:
    """The HTML `lang` of our zh and en: zh-Hans, so browsers pick Simplified Chinese glyphs."""
    return "zh-Hans" if lang == "zh" else lang
