"""The Content-Security-Policy and framing headers of each page the embeds serve."""

import base64
import hashlib
import re
from pathlib import Path

from .assets import STATIC_DIR

PLOT_FILE = STATIC_DIR / "vendor" / "plot-0.6.17" / "plot.umd.min.js"
PLOT_CLASS = "zf-plot"  # the className chart.js gives Plot, fixing the text of Plot's <style>


def plot_style_hash(plot_file: Path = PLOT_FILE, class_name: str = PLOT_CLASS) -> str:
    """The CSP hash of the one `<style>` element Plot inserts into each chart.

    Plot writes a constant stylesheet into every SVG it makes (with our class name in it).
    Allowing exactly that text by hash keeps `style-src` free of 'unsafe-inline'. It is read
    from the vendored file, so upgrading Plot updates it; the browser test fails on a mismatch.
    """
    source = plot_file.read_text(encoding="utf-8")
    # The template in the minified bundle: svg.append("style").text(`:where(.${c}) {\n ...}`)
    templates = re.findall(r'append\("style"\)\.text\(`(:where\(\.\$\{(\w+)\}\) \{[^`]*)`', source)
    if len(templates) != 1:
        raise RuntimeError(f"expected one plot stylesheet template in {plot_file}")
    template, variable = templates[0]
    text = template.replace("\\n", "\n").replace("${" + variable + "}", class_name)
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _policy(**directives: str) -> str:
    parts = (f"{name.replace('_', '-')} {value}".strip() for name, value in directives.items())
    return "; ".join(parts)


# The fact card: our stylesheet and resize script only; any page may frame it.
CARD = _policy(
    default_src="'none'",
    script_src="'self'",
    style_src="'self'",
    img_src="'self'",
    base_uri="'none'",
    form_action="'none'",
    frame_ancestors="*",
)

# The chart: as the card, plus the vendored d3 and Plot (same origin) and Plot's own <style>.
CHART = _policy(
    default_src="'none'",
    script_src="'self'",
    style_src=f"'self' {plot_style_hash()}",
    img_src="'self'",
    base_uri="'none'",
    form_action="'none'",
    frame_ancestors="*",
)

# The dashboard: fetches the API and frames our own cards and chart; no one may frame it.
DASHBOARD = _policy(
    default_src="'none'",
    script_src="'self'",
    style_src="'self'",
    img_src="'self'",
    connect_src="'self'",
    frame_src="'self'",
    base_uri="'none'",
    form_action="'none'",
    frame_ancestors="'none'",
)

# The badge is an image: nothing in it may run or load, wherever it is opened.
BADGE = _policy(default_src="'none'", sandbox="")

# Headers per page. Embeds must not send X-Frame-Options (a DENY there would win in older
# browsers); every other page keeps refusing to be framed, with both headers.
HEADERS: dict[str, dict[str, str]] = {
    "card": {"Content-Security-Policy": CARD},
    "chart": {"Content-Security-Policy": CHART},
    "dashboard": {"Content-Security-Policy": DASHBOARD, "X-Frame-Options": "DENY"},
    "badge": {"Content-Security-Policy": BADGE},
}
