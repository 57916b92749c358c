"""Which representations each route offers, read from the routes' own OpenAPI declarations.

A documented route offers its response class's media type first, then the other media types
its 200 response declares (`responses={200: {"content": {"text/csv": {}}}}`), so what the
OpenAPI document promises and what negotiation serves cannot drift apart.
"""

from collections import OrderedDict

from fastapi.datastructures import DefaultPlaceholder
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

# Probes answer JSON whatever they are sent; oEmbed has a `format` parameter of its own (json or
# xml, 501 for what it lacks, oEmbed §2.3) and answers JSON.
UNNEGOTIATED_TAGS = frozenset({"health", "oembed"})
MEMO_SIZE = 4096


def flat_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route of an app with its full path (included routers flattened)."""
    return [context.route for context in iter_route_contexts(routes)]


def route_offers(route: APIRoute) -> tuple[str, ...]:
    """The media types a route serves, its default first."""
    response_class = route.response_class
    if isinstance(response_class, DefaultPlaceholder):
        response_class = response_class.value
    first = getattr(response_class, "media_type", None)
    declared = route.responses.get(200, {}).get("content", {})
    offers = [first] if first else []
    offers += [m for m in declared if m not in offers]
    return tuple(offers)


class Offers:
    """Finds the negotiated route a request path belongs to; memoised per path, bounded."""

    def __init__(self, routes: list[BaseRoute]) -> None:
        self.routes = [
            r
            for r in flat_routes(routes)
            if isinstance(r, APIRoute)
            and r.include_in_schema
            and not UNNEGOTIATED_TAGS.intersection(map(str, r.tags))
        ]
        self._memo: OrderedDict[str, tuple[str, ...] | None] = OrderedDict()

    def __call__(self, scope: Scope) -> tuple[str, ...] | None:
        """The offers of the route the path names; None when it is not a negotiated route."""
        path: str = scope["path"]
        if path in self._memo:
            return self._memo[path]
        found = None
        probe = {**scope, "type": "http", "method": "GET"}
        for route in self.routes:
            match, _ = route.matches(probe)
            if match is Match.FULL:
                found = route_offers(route)
                break
        if len(path) <= 256:
            self._memo[path] = found
            if len(self._memo) > MEMO_SIZE:
                self._memo.popitem(last=False)
        return found
