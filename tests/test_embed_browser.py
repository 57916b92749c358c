"""The embeds in Debian's headless Chromium (Playwright), with every non-loopback request blocked.

Until the routes are wired into app/api/, a small harness serves them: the real API app for
`/v1/…`, the renderers of app/api/embed for `/`, `/embed/…` and `/oembed`, and app/api/static
for `/static/…`, each page with the headers of app/api/embed/csp.py. A second server on another
loopback port plays the third-party page that frames a card.

Run `python -m tests.test_embed_browser [PORT]` to browse the harness over ./var's database.
"""

import asyncio
import contextlib
import hashlib
import base64
import json
import os
import re
import shutil
import socket
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
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
        return HTMLResponse(render_dashboard(lang=lang, theme=theme), headers=csp.HEADERS["dashboard"])

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


if __name__ == "__main__":
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 8732
    url = os.environ.get("DATABASE_URL", "sqlite:////tmp/embed-proto.sqlite3")
    uvicorn.run(
        harness_app(Settings(database_url=url, auto_seed=False)),
        host="127.0.0.1",
        port=port,
        log_level="info",
    )
