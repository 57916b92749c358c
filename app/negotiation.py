"""Choose JSON or CSV from ?format= or the Accept header; the cache keys on the same choice."""

from enum import StrEnum


class Format(StrEnum):
    """Representations every list offers."""

    json = "json"
    csv = "csv"


def negotiate(format_param: str | None, accept: str | None) -> Format:
    """?format= wins; otherwise CSV when Accept prefers text/csv over JSON."""
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
