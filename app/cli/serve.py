"""`zhuzhou-facts serve`: uvicorn with the server limits set in one place (app/config.py), and
the protocol that enforces the ones uvicorn lacks (app/cli/protocol.py)."""

import copy
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG

from app.cli.protocol import GuardedHttpToolsProtocol
from app.config import Settings, get_settings


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the app's own loggers (e.g. a fault's one line) printed alike."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["app"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


def serve(host: str, port: int, settings: Settings | None = None) -> None:
    """Run the API under uvicorn with the configured limits (blocks until shut down)."""
    settings = settings or get_settings()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=settings.workers,
        http=GuardedHttpToolsProtocol,
        ws="none",  # the API has no WebSocket: an Upgrade is ignored (RFC 9110 §7.8)
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_keep_alive=settings.timeout_keep_alive,
        timeout_graceful_shutdown=settings.timeout_graceful_shutdown,
        limit_concurrency=settings.limit_concurrency,
        backlog=settings.backlog,
        log_config=log_config(),
    )
