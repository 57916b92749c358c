"""Choose JSON or CSV from ?format= or the Accept header: decided once per request.

The caching layer decides (its ETag and cache key depend on the outcome) and records the outcome
in the request scope; the route reads it back instead of negotiating again.
"""

from enum import StrEnum
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import Scope

STATE_KEY = "representation"


class Format(StrEnum):
    """Representations every list offers."""

    json = "json"
    csv = "csv"


def negotiate(format_param: str | None, accept: str | None) -> Format:
    """?format= wins; otherwise CSV when Accept prefers text/csv over JSON.

    Raises ValueError for a `format` value that is not a Format (the route answers it with 422).
    """
    if format_param:
        return Format(format_param)
    if not accept:
        return Format.json
    best, best_q = Format.json, -1.0
    for part in accept.split(","):
        media, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        media = media.strip().lower()
        candidate = (
            Format.csv
            if media == "text/csv"
            else (Format.json if media in {"application/json", "*/*", "application/*"} else None)
        )
        if candidate is not None and q > best_q:
            best, best_q = candidate, q
    return best


def decide(scope: Scope, accept: bytes | None) -> Format | None:
    """The representation a request asks for (its last `format` wins); None when invalid."""
    query = parse_qsl(scope["query_string"].decode("latin-1"), keep_blank_values=True)
    format_param = next((v for k, v in reversed(query) if k == "format"), None)
    try:
        return negotiate(format_param, accept.decode("latin-1") if accept else None)
    except ValueError:
        return None


def remember(scope: Scope, fmt: Format | None) -> Scope:
    """The scope with the decision recorded for the route."""
    return {**scope, "state": {**scope.get("state", {}), STATE_KEY: fmt}}


def negotiated(request: Request) -> Format:
    """The representation decided for this request (decided here if no layer did)."""
    state = request.scope.get("state", {})
    if STATE_KEY in state and state[STATE_KEY] is not None:
        fmt: Format = state[STATE_KEY]
        return fmt
    accept = request.headers.get("accept")
    return decide(request.scope, accept.encode("latin-1") if accept else None) or Format.json
