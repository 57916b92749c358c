"""GET /embed/…: a metric's fact card and badge, an indicator's chart: pages to embed.

Each route reads stored payloads, calls one renderer of app/api/embed, and sends the page with
its Content-Security-Policy (app/api/embed/csp.py). The card and the chart state
`frame-ancestors *`, so any page may frame them; the edge denies framing to everything else.
"""

from typing import Annotated

import orjson
from fastapi import APIRouter, Path, Query, Request
from starlette.responses import HTMLResponse, Response

from app.api.deps import ReaderDep, found_or_404
from app.api.embed import csp
from app.api.embed.badge import render_badge
from app.api.embed.card import render_card
from app.api.embed.chart import render_chart_page
from app.api.embed.view import Lang, Theme
from app.api.params import Label
from app.api.urls import base_url
from app.store import labels, queries
from app.store.tables import Metric

SVG_TYPE = "image/svg+xml; charset=utf-8"
LangQuery = Annotated[Lang, Query(description="`zh` (the source's language) or `en`.")]
ThemeQuery = Annotated[Theme, Query(description="`light` or `dark`.")]
MetricId = Annotated[str, Path(description="Stable id of the observation.")]
IndicatorId = Annotated[str, Path(description="Id of the series.")]

router = APIRouter(prefix="/embed", tags=["embeds"], include_in_schema=False)


@router.get("/metrics/{metric_id}")
async def card(
    request: Request,
    metric_id: MetricId,
    db: ReaderDep,
    lang: LangQuery = "zh",
    theme: ThemeQuery = "light",
) -> Response:
    """The fact card: value as written and normalised, qualifier, period, the quote marked."""
    payload = await db.run(queries.get_payload, Metric, metric_id)
    metric = orjson.loads(found_or_404(payload, "metric", metric_id))
    subject = await db.run(labels.subject_name, metric["subject_type"], metric["subject"])
    title = await db.run(labels.document_title, metric["source"]["document"])
    html = render_card(
        metric,
        lang=lang,
        theme=theme,
        base_url=base_url(request.scope),
        subject_name=subject,
        document_title=title,
    )
    return HTMLResponse(html, headers=csp.HEADERS["card"])


@router.get("/metrics/{metric_id}/badge.svg")
async def badge(
    metric_id: MetricId,
    db: ReaderDep,
    lang: LangQuery = "zh",
    label: Label = None,
) -> Response:
    """The badge: label and value as a plain SVG image."""
    payload = await db.run(queries.get_payload, Metric, metric_id)
    metric = orjson.loads(found_or_404(payload, "metric", metric_id))
    svg = render_badge(metric, lang=lang, label=label)
    return Response(svg, media_type=SVG_TYPE, headers=csp.HEADERS["badge"])


@router.get("/indicators/{indicator_id}/chart")
async def chart(
    request: Request,
    indicator_id: IndicatorId,
    db: ReaderDep,
    lang: LangQuery = "zh",
    theme: ThemeQuery = "light",
) -> Response:
    """The series chart: every observation at its reference period, drawn by Plot."""
    detail = await db.run(queries.indicator_detail, indicator_id)
    indicator = orjson.loads(found_or_404(detail, "indicator", indicator_id))
    names = await db.run(labels.subject_names, indicator["items"])
    html = render_chart_page(
        indicator, lang=lang, theme=theme, base_url=base_url(request.scope), subject_names=names
    )
    return HTMLResponse(html, headers=csp.HEADERS["chart"])
