"""Assemble the application: settings, dataset, the layers in front, routers, docs."""

import gc
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import fastapi
import pydantic
from fastapi import FastAPI
from starlette.middleware.errors import ServerErrorMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from app.api import errors
from app.api.caching import CachingMiddleware, code_fingerprint
from app.api.edge import EdgeMiddleware
from app.api.offers import Offers
from app.api.openapi import DESCRIPTION, TAGS, install_openapi
from app.api.replay import ReplayMiddleware
from app.api.routers import (
    dashboard,
    datapackage,
    docs,
    documents,
    embed,
    entities,
    health,
    indicators,
    industry_chains,
    meta,
    metrics,
    oembed,
    search,
    timeline,
)
from app.api.urls import under_prefix
from app.config import Settings, get_settings
from app.dataset.load import seed_database
from app.store.engines import is_sqlite, sqlite_path
from app.store.state import DatasetState

log = logging.getLogger("app")
PACKAGE = Path(__file__).resolve().parent
ROUTERS = (meta, metrics, indicators, industry_chains, timeline, entities, documents, search)
PAGES = (datapackage, oembed, embed, dashboard)  # the formats dashboards read, and the embeds


def ensure_database(settings: Settings) -> None:
    """Build the embedded SQLite database from seed/ when it does not exist yet (startup only;
    the request path never builds)."""
    url = settings.database_url
    if settings.auto_seed and is_sqlite(url) and not sqlite_path(url).exists():
        result = seed_database(url, settings.seed_dir)
        log.warning(
            "built %s from %s (dataset %s)", result.database, settings.seed_dir, result.version[:12]
        )


class FactsAPI(FastAPI):
    """FastAPI with pure-ASGI layers in front of the framework, and no error layer of its own.

    The layers in front see every response: a cached answer or a revalidation never enters
    Starlette's middleware or routing. Starlette's ServerErrorMiddleware is left out, because
    the edge is the one place that turns an unhandled error into the 500 problem.
    """

    front: ASGIApp | None = None
    prefix: str = ""  # ROOT_PATH: given to every request before any layer runs

    def put_in_front(self, wrap: Callable[[ASGIApp], ASGIApp]) -> None:
        """Wrap what runs in front of the framework (the last wrap runs first)."""
        inner = self.front or super().__call__
        self.front = wrap(inner)

    def build_middleware_stack(self) -> ASGIApp:
        """Starlette's stack without its outermost ServerErrorMiddleware (see the class doc)."""
        stack = super().build_middleware_stack()
        if not isinstance(stack, ServerErrorMiddleware):  # a Starlette that built it otherwise
            raise TypeError(f"expected ServerErrorMiddleware outermost, got {type(stack)}")
        return stack.app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and (self.prefix or scope.get("root_path")):
            # Every layer in front and the framework see one prefix (app/api/urls.py).
            scope = under_prefix(scope, self.prefix)
        if self.front is None:
            await super().__call__(scope, receive, send)
        else:
            await self.front(scope, receive, send)


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured application; tests pass their own settings."""
    settings = settings or get_settings()

    loaded: list[DatasetState] = []  # the dataset the lifespan opened, read on every request

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        ensure_database(settings)
        app.state.dataset = DatasetState(settings.database_url, timeout=settings.database_timeout)
        loaded[:] = [app.state.dataset]
        # Everything loaded so far lives as long as the process: move it out of the garbage
        # collector's reach, so no collection walks the whole framework during a request.
        gc.collect()
        gc.freeze()
        yield
        loaded.clear()
        app.state.dataset.close()

    app = FactsAPI(
        title="Zhuzhou facts API",
        version="1.0.0",
        summary="Exact, traceable, bilingual statistical facts from a source document.",
        description=DESCRIPTION,
        openapi_tags=TAGS,
        docs_url=None,
        openapi_url=None,  # served by app/api/openapi.py
        redoc_url=None,
        lifespan=lifespan,
        redirect_slashes=False,  # app/api/errors.py answers a trailing slash with a relative 308
    )
    app.prefix = settings.root_path
    errors.install(app)
    for module in (*ROUTERS, *PAGES, health, docs):
        app.include_router(module.router)
    install_openapi(app)

    def version() -> str | None:
        return loaded[0].current_version() if loaded else None

    # A request meets the replay of repeats first, then the edge (CORS, HEAD, OPTIONS, the
    # 500), then the cache (negotiation, ETag, 304, gzip, stored responses), then FastAPI.
    fingerprint = code_fingerprint(PACKAGE, app.version, fastapi.__version__, pydantic.__version__)
    offers = Offers(app.routes)
    app.put_in_front(
        lambda inner: CachingMiddleware(
            inner,
            offers=offers,
            version=version,
            fingerprint=fingerprint,
            max_age=settings.cache_max_age,
            max_entries=settings.response_cache_size,
            max_bytes=settings.response_cache_bytes,
        )
    )
    app.put_in_front(EdgeMiddleware)
    # Repeats skip even the edge: the messages the client got are replayed (app/api/replay.py).
    app.put_in_front(
        lambda inner: ReplayMiddleware(
            inner,
            version=version,
            max_entries=settings.response_cache_size,
            max_bytes=settings.response_cache_bytes,
        )
    )
    return app


app = create_app()
