"""Proactive negotiation (RFC 9110 §12): a representation and a content coding per request.

Decided once, in front of the framework (app/api/caching.py), from the request's `format`
parameter and its Accept and Accept-Encoding fields (repeated lines are one comma-joined list,
RFC 9110 §5.3); the route reads the decision back. Rules:

- `?format=` names the representation outright (the route validates its value).
- Otherwise each offer gets the q-value of the most specific media range that matches it
  (§12.5.1: `type/subtype;params` over `type/subtype` over `type/*` over `*/*`). Types and
  parameter names are case-insensitive (§8.3.1, §5.6.6), as are the values of `charset`
  (§8.3.2) and of CSV's `header` (RFC 4180); a range's parameters match when each is one of the
  offer's: `charset=utf-8` for every offer, `header=present` for CSV. `q=0` means
  "not acceptable"; the highest q wins, ties go to the route's first offer; no Accept field
  means anything is acceptable. When nothing offered is acceptable the API answers 406.
- Codings (§12.5.3): gzip (or x-gzip) and identity, case-insensitive, `*` for any other;
  identity is acceptable unless excluded (`identity;q=0`, or `*;q=0` without identity).

We parse these fields ourselves (about 100 lines, table-tested in tests/test_api_negotiation.py)
because the parsers we tried do not apply the most-specific-range rule or the identity rule.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from starlette.requests import Request
from starlette.types import Scope

STATE_KEY = "representation"
MEMO_MAX_FIELD = 512  # longer fields are parsed every time, never memoised
JSON = "application/json"
CSV = "text/csv"
NDJSON = "application/x-ndjson"
TEXT = "text/plain"
# The `format` parameter's values, and the media type each names.
FORMATS = {"json": JSON, "csv": CSV, "ndjson": NDJSON}
# Parameters of our own representations: a range naming other values, or other parameters, does
# not match them. Every representation is UTF-8, so `charset=utf-8` matches each.
UTF8 = {"charset": "utf-8"}
OFFER_PARAMS = {JSON: UTF8, NDJSON: UTF8, TEXT: UTF8, CSV: {**UTF8, "header": "present"}}
# Parameters whose values are case-insensitive: charset (RFC 9110 §8.3.2) and CSV's header
# (RFC 4180 §3, ABNF literals); other values are compared as written.
CASELESS_VALUES = frozenset({"charset", "header"})


@dataclass(frozen=True)
class Representation:
    """What a request gets: a media type (None for pages that are not negotiated) and whether
    gzip is preferred, and whether the unencoded (identity) form is acceptable."""

    media_type: str | None
    gzip: bool
    identity: bool = True

    @property
    def key(self) -> tuple[str | None, bool, bool]:
        """The part of a cache key that depends on the request's negotiation fields."""
        return (self.media_type, self.gzip, self.identity)


@dataclass(frozen=True)
class MediaRange:
    """One member of an Accept field."""

    type: str
    subtype: str
    params: tuple[tuple[str, str], ...]
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches media_type (-1: not at all)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        if self.subtype != sub:
            return -1
        if not self.params:
            return 2
        own = OFFER_PARAMS.get(media_type, {})
        return 3 if all(own.get(k) == v for k, v in self.params) else -1


# RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] )
QVALUE = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def _qvalue(text: str) -> float | None:
    """An RFC 9110 §12.4.2 qvalue, or None when malformed (`.5`, `1e-1`, `+0.5`, `0.1234`)."""
    return float(text) if QVALUE.fullmatch(text) else None


def _members(field: str) -> list[tuple[str, dict[str, str], float]]:
    """The comma-separated members of a field: value, parameters and q (malformed: skipped)."""
    out = []
    for member in field.split(","):
        value, *raw = (part.strip() for part in member.split(";"))
        params: dict[str, str] = {}
        q: float | None = 1.0
        for p in raw:
            name, _, v = p.partition("=")
            name, v = name.strip().lower(), v.strip().strip('"')
            if name == "q":
                q = _qvalue(v)
            elif name:
                params[name] = v.lower() if name in CASELESS_VALUES else v
        if value and q is not None:
            out.append((value.lower(), params, q))
    return out


def parse_accept(field: str) -> list[MediaRange]:
    """The media ranges of an Accept field (malformed members are skipped)."""
    ranges = []
    for value, params, q in _members(field):
        kind, slash, sub = value.partition("/")
        if slash and kind and sub and not (kind == "*" and sub != "*"):
            ranges.append(MediaRange(kind, sub, tuple(sorted(params.items())), q))
    return ranges


def _choose(offers: tuple[str, ...], accept: str | None) -> str | None:
    ranges = parse_accept(accept) if accept is not None else []
    if not ranges:
        return offers[0] if offers else None
    best, best_q = None, 0.0
    for offer in offers:
        matches = [(r.specificity(offer), r.q) for r in ranges]
        matches = [m for m in matches if m[0] >= 0]
        q = max(matches)[1] if matches else 0.0
        if q > best_q:
            best, best_q = offer, q
    return best


_choose_memo = lru_cache(maxsize=1024)(_choose)


def choose_media_type(offers: tuple[str, ...], accept: str | None) -> str | None:
    """The offer the Accept field prefers, or None when none is acceptable (406)."""
    if accept is not None and len(accept) > MEMO_MAX_FIELD:
        return _choose(offers, accept)
    return _choose_memo(offers, accept)


def _codings(field: str | None) -> tuple[bool, bool]:
    if field is None:
        return False, True  # no field: identity only is the safe reading (§12.5.3)
    q = {value: qv for value, _, qv in _members(field)}
    star = q.get("*")
    gzip_q = q.get("gzip", q.get("x-gzip", star if star is not None else 0.0))
    identity_q = q.get("identity", star if star is not None and star == 0.0 else 1.0)
    identity = identity_q > 0.0
    return gzip_q > 0.0 and (gzip_q >= identity_q or not identity), identity


_codings_memo = lru_cache(maxsize=256)(_codings)


def choose_codings(accept_encoding: str | None) -> tuple[bool, bool]:
    """(gzip preferred, identity acceptable) from an Accept-Encoding field."""
    if accept_encoding is not None and len(accept_encoding) > MEMO_MAX_FIELD:
        return _codings(accept_encoding)
    return _codings_memo(accept_encoding)


def negotiate(
    offers: tuple[str, ...] | None,
    format_param: str | None,
    accept: str | None,
    accept_encoding: str | None,
) -> Representation | None:
    """The representation for a request, or None when none of the offers is acceptable.

    `offers` is None for what is not negotiated (pages, assets): their one type is served. On a
    route with several offers, a `format` value it does not offer is left to the route's own
    validation (422); on a route with one, asking for another format is a 406.
    """
    gzip, identity = choose_codings(accept_encoding)
    if not gzip and not identity:
        return None
    if offers is None:
        return Representation(None, gzip, identity)
    if format_param is not None:
        named = FORMATS.get(format_param)
        if named in offers:
            return Representation(named, gzip, identity)
        return (
            Representation(f"invalid:{format_param}", gzip, identity) if len(offers) > 1 else None
        )
    chosen = choose_media_type(offers, accept)
    return None if chosen is None else Representation(chosen, gzip, identity)


def remember(scope: Scope, representation: Representation) -> Scope:
    """The scope with the decision recorded for the route."""
    return {**scope, "state": {**scope.get("state", {}), STATE_KEY: representation}}


def negotiated(request: Request) -> str:
    """The media type decided for this request; JSON where no layer decided (direct calls)."""
    decided = request.scope.get("state", {}).get(STATE_KEY)
    if isinstance(decided, Representation) and decided.media_type in FORMATS.values():
        return str(decided.media_type)
    return JSON
