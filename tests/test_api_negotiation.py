"""Negotiation: one decision per request, from ?format= or Accept, read back by the route."""

import pytest
from starlette.requests import Request

from app.api.negotiation import STATE_KEY, Format, decide, negotiate, negotiated, remember

J, C = Format.json, Format.csv


@pytest.mark.parametrize(
    ("format_param", "accept", "expected"),
    [
        (None, None, J),
        (None, "", J),
        (None, "*/*", J),
        (None, "application/json", J),
        (None, "text/csv", C),
        (None, "TEXT/CSV", C),
        (None, "text/csv;q=0.5, application/json", J),
        (None, "application/json;q=0.5, text/csv", C),
        (None, "text/html, text/csv;q=0.9", C),
        (None, "image/png", J),
        ("csv", "application/json", C),
        ("json", "text/csv", J),
    ],
)
def test_format_wins_then_the_accept_header_decides(
    format_param: str | None, accept: str | None, expected: Format
) -> None:
    assert negotiate(format_param, accept) is expected


def test_an_unknown_format_value_is_an_error_for_the_route_to_answer() -> None:
    with pytest.raises(ValueError):
        negotiate("xml", None)


def _scope(query: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, object]:
    return {"type": "http", "query_string": query, "headers": headers or [], "method": "GET"}


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        (b"", None, J),
        (b"format=csv", None, C),
        (b"format=json&format=csv", None, C),  # the last value, as FastAPI reads it
        (b"limit=5", b"text/csv", C),
        (b"format=xml", None, None),
    ],
)
def test_decide_reads_the_query_and_accept_of_a_scope(
    query: bytes, accept: bytes | None, expected: Format | None
) -> None:
    assert decide(_scope(query), accept) is expected


def test_the_route_reads_back_the_recorded_decision_without_negotiating_again() -> None:
    # The scope asks for JSON; the recorded decision says CSV: the recorded one is used.
    scope = remember(_scope(b"format=json"), Format.csv)
    assert scope["state"][STATE_KEY] is Format.csv
    assert negotiated(Request(scope)) is Format.csv


def test_without_a_recorded_decision_the_route_decides_itself() -> None:
    request = Request(_scope(b"", [(b"accept", b"text/csv")]))
    assert negotiated(request) is Format.csv
