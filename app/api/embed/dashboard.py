"""The dashboard at `/`: a page shell; everything in it comes from the public API by fetch."""

from .assets import render
from .view import Lang, Theme

TITLE: dict[Lang, str] = {
    "zh": "株洲数据：来自原文的统计事实",
    "en": "Zhuzhou facts: statistics from the source",
}

# The headline numbers, in this order; ids the API no longer serves are left out, not shown broken.
HEADLINES = (
    "gdp-2021-q1-q3",
    "gdp-growth-2021-q1-q3",
    "target-gdp",
    "high-tech-share-of-gdp-2020",
    "rd-intensity",
    "industrial-enterprises",
)
CHART_INDICATOR = "gdp"


def render_dashboard(*, lang: Lang = "zh", theme: Theme = "light", base_url: str) -> str:
    """The dashboard page; dashboard.js fills it from `<base_url>/v1/…` and frames the embeds.

    `base_url` is the service's public base (`app.api.urls.base_url`): the script reads it from
    `data-base`, so the page works behind a path prefix too."""
    return render(
        "dashboard.html",
        base_url=base_url,
        lang=lang,
        theme=theme,
        title=TITLE[lang],
        headlines=",".join(HEADLINES),
        chart_indicator=CHART_INDICATOR,
    )
