"""GET /: the dashboard, a page built on the public API only (it fetches /v1/… and frames the
embeds); and /static/…, the files of the pages (app/api/static)."""

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from app.api.embed import csp
from app.api.embed.assets import STATIC_DIR, STATIC_PREFIX
from app.api.embed.dashboard import render_dashboard
from app.api.embed.view import Lang, Theme
from app.api.urls import base_url

router = APIRouter(include_in_schema=False)
# Ours are fingerprinted (`?v=<hash>`), the vendored libraries versioned by folder.
router.mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static")


@router.get("/")
async def dashboard(
    request: Request,
    lang: Annotated[Lang, Query(description="`zh` or `en`.")] = "zh",
    theme: Annotated[Theme, Query(description="`light` or `dark`.")] = "light",
) -> Response:
    """The dashboard page; its script fills it from the API."""
    html = render_dashboard(lang=lang, theme=theme, base_url=base_url(request.scope))
    return HTMLResponse(html, headers=csp.HEADERS["dashboard"])
