"""Proactive negotiation (RFC 9110 §12): media types and codings, decided once per request."""

import pytest
from fastapi.testclient import TestClient
from starlette.requests import Request

from app.api.negotiation import (
    CSV,
    JSON,
    NDJSON,
    TEXT,
    Representation,
    choose_codings,
    choose_media_type,
    negotiate,
    negotiated,
    parse_accept,
    remember,
)
from tests.api_helpers import GDP_Q1_Q3, assert_problem

LIST = (JSON, CSV, NDJSON)
RECORD = (JSON, CSV)

# (offers, Accept, chosen): None means nothing offered is acceptable (406).
MEDIA_CASES = [
    (LIST, None, JSON),
    (LIST, "", JSON),
    (LIST, "*/*", JSON),
    (LIST, "application/json", JSON),
    (LIST, "text/csv", CSV),
    (LIST, "TEXT/CSV", CSV),  # types are case-insensitive
    (LIST, "text/*", CSV),
    (LIST, "application/*", JSON),
    (LIST, "application/x-ndjson", NDJSON),
    (LIST, "text/csv;q=0.5, application/json", JSON),
    (LIST, "application/json;q=0.5, text/csv", CSV),
    (LIST, "text/csv;q=0", None),  # q=0: not acceptable, and nothing else is asked for
    (LIST, "text/csv;q=0, */*", JSON),  # the most specific range wins: csv stays excluded
    (LIST, "*/*;q=0.1, text/csv;q=0", JSON),
    (LIST, "text/*;q=0, */*", JSON),
    (LIST, "application/json;q=0, text/*", CSV),
    (LIST, "text/csv;Q=0.9, application/json;q=0.8", CSV),  # parameter names too
    (LIST, "text/csv;charset=UTF-8", CSV),  # our CSV is UTF-8
    (LIST, "text/csv;charset=latin1", None),  # ...and not Latin-1
    (LIST, "text/csv;header=present, application/json;q=0.1", CSV),
    # Parameter names (RFC 9110 §5.6.6), charset values (§8.3.2) and CSV's header values (RFC
    # 4180's ABNF literals) are case-insensitive; every representation is UTF-8.
    (LIST, "text/csv;header=PRESENT", CSV),
    (LIST, "text/csv;HEADER=Present;CHARSET=Utf-8", CSV),
    (LIST, 'text/csv; header="present"', CSV),
    (LIST, "text/csv;header=absent", None),
    (LIST, "application/json;charset=utf-8", JSON),
    (LIST, "application/json; Charset=UTF-8", JSON),
    (LIST, 'application/json;charset="utf-8"', JSON),
    (LIST, "application/x-ndjson;charset=utf-8", NDJSON),
    (LIST, "application/json;charset=utf8", None),  # only the registered name
    (LIST, "application/json;charset=iso-8859-1", None),
    (LIST, "application/json;header=present", None),  # a parameter JSON does not have
    (LIST, "application/json;foo=bar", None),
    (LIST, "application/json;q=0.9, application/json;charset=utf-8;q=0.1, text/csv;q=0.5", CSV),
    (RECORD, "application/json;charset=UTF-8", JSON),
    ((TEXT,), "text/plain;charset=utf-8", TEXT),
    ((TEXT,), "text/plain;charset=us-ascii", None),
    (LIST, "text/html", None),
    (LIST, "text/html, */*;q=0.8", JSON),  # a browser's navigation
    (LIST, "image/png, application/json;q=0.2", JSON),
    (LIST, "application/json;q=2", JSON),  # a malformed member is ignored...
    (LIST, "text/csv;q=abc", JSON),  # ...so nothing valid is left: anything goes
    # qvalues as RFC 9110 §12.4.2 writes them, and only so: each malformed one is ignored.
    (LIST, "text/csv;q=.5, application/json;q=0.4", JSON),
    (LIST, "text/csv;q=1e-1, application/json;q=0.05", JSON),
    (LIST, "text/csv;q=+0.5, application/json;q=0.4", JSON),
    (LIST, "text/csv;q=0.1234, application/json;q=0.05", JSON),
    (LIST, "text/csv;q=1.001, application/json;q=0.05", JSON),
    (LIST, "text/csv;q=1.000, application/json;q=0.999", CSV),
    (LIST, "text/csv;q=0., application/json;q=0.001", JSON),
    (LIST, "text/csv;q=0.001, application/json;q=0", CSV),
    (LIST, "text/csv;q=0.5;q=0", None),
    (LIST, "  text/csv  ;  q=0.7 , application/json ; q=0.6 ", CSV),
    (RECORD, "application/x-ndjson", None),
    (RECORD, "application/x-ndjson, text/csv;q=0.5", CSV),
    ((TEXT,), "text/plain", TEXT),
    ((TEXT,), "application/json", None),
    ((TEXT,), "text/*", TEXT),
]


@pytest.mark.parametrize(("offers", "accept", "chosen"), MEDIA_CASES, ids=str)
def test_the_accept_field_chooses_by_q_and_specificity(
    offers: tuple[str, ...], accept: str | None, chosen: str | None
) -> None:
    assert choose_media_type(offers, accept) == chosen


# Accept-Encoding → (gzip preferred, identity acceptable)
CODING_CASES = [
    (None, (False, True)),  # no field: no preference; we send identity
    ("", (False, True)),
    ("gzip", (True, True)),
    ("GZIP", (True, True)),
    ("x-gzip", (True, True)),
    ("gzip, deflate, br", (True, True)),
    ("gzip;q=0", (False, True)),
    ("gzip;q=0, identity", (False, True)),
    ("gzip;q=0.5, identity", (False, True)),  # identity has q=1 by default
    ("gzip, identity;q=0.5", (True, True)),
    ("identity;q=0, gzip", (True, False)),
    ("*", (True, True)),
    ("*;q=0", (False, False)),  # nothing: a 406
    ("*;q=0, identity", (False, True)),
    ("br", (False, True)),
    ("deflate;q=0.5, *;q=0.1", (False, True)),  # identity keeps its default q=1
]


@pytest.mark.parametrize(("field", "expected"), CODING_CASES, ids=str)
def test_the_accept_encoding_field_chooses_the_coding(
    field: str | None, expected: tuple[bool, bool]
) -> None:
    assert choose_codings(field) == expected


def test_media_ranges_keep_their_parameters_lower_cased_but_not_their_q() -> None:
    [r] = parse_accept('Text/CSV; Charset="UTF-8"; Header=Present; Other=Value; q=0.5')
    params = (("charset", "utf-8"), ("header", "present"), ("other", "Value"))
    assert (r.type, r.subtype, r.params, r.q) == ("text", "csv", params, 0.5)


@pytest.mark.parametrize(
    ("offers", "format_param", "accept", "expected"),
    [
        (LIST, "csv", "application/json", CSV),  # format names the representation outright
        (LIST, "ndjson", None, NDJSON),
        (LIST, "xml", None, "invalid:xml"),  # the route answers 422
        (RECORD, "ndjson", None, "invalid:ndjson"),
        ((JSON,), "csv", None, None),  # a route with one representation: 406
        ((JSON,), "json", "text/csv", JSON),
        (None, None, "text/csv", None),  # a page that is not negotiated: its one type
    ],
)
def test_the_format_parameter_wins(
    offers: tuple[str, ...] | None, format_param: str, accept: str | None, expected: str | None
) -> None:
    rep = negotiate(offers, format_param, accept, None)
    if offers is not None and expected is None:
        assert rep is None
    else:
        assert rep is not None and rep.media_type == expected


def test_the_route_reads_back_the_recorded_decision() -> None:
    scope = {"type": "http", "query_string": b"format=json", "headers": [], "method": "GET"}
    request = Request(remember(scope, Representation(CSV, gzip=False)))
    assert negotiated(request) == CSV
    assert negotiated(Request(scope)) == JSON  # nothing decided: the default


# --- through the app -----------------------------------------------------------------------

CSV_TYPE = "text/csv; charset=utf-8; header=present"
HTTP_CASES = [
    ("/v1/metrics", [("Accept", "text/csv;q=0")], 406),
    ("/v1/metrics", [("Accept", "text/csv;q=0, */*")], "application/json"),
    ("/v1/metrics", [("Accept", "text/csv")], CSV_TYPE),
    ("/v1/metrics", [("Accept", "text/csv;header=PRESENT")], CSV_TYPE),
    ("/v1/metrics", [("Accept", "application/json;charset=utf-8")], "application/json"),
    ("/v1/metrics", [("Accept", "application/json;charset=latin1")], 406),
    (
        f"/v1/metrics/{GDP_Q1_Q3}",
        [("Accept", "application/json; charset=UTF-8")],
        "application/json",
    ),
    ("/v1/entities", [("Accept", "application/x-ndjson;charset=utf-8")], "application/x-ndjson"),
    ("/v1/metrics", [("Accept", "application/x-ndjson")], "application/x-ndjson"),
    ("/v1/metrics?format=ndjson", [("Accept", "application/json")], "application/x-ndjson"),
    ("/v1/metrics?format=xml", [], 422),
    (f"/v1/metrics/{GDP_Q1_Q3}", [("Accept", "text/csv")], CSV_TYPE),
    (f"/v1/metrics/{GDP_Q1_Q3}?format=ndjson", [], 422),
    (f"/v1/metrics/{GDP_Q1_Q3}", [("Accept", "application/x-ndjson")], 406),
    ("/v1", [("Accept", "text/csv")], 406),
    ("/v1?format=csv", [], 406),
    ("/v1", [("Accept", "text/html, */*;q=0.5")], "application/json"),
    ("/v1/documents/zhuzhou-2021-11-09/text", [("Accept", "application/json")], 406),
    ("/v1/documents/zhuzhou-2021-11-09/text", [("Accept", "text/*")], "text/plain; charset=utf-8"),
    # Repeated lines are one list (RFC 9110 §5.3): q-values across lines compare.
    ("/v1/entities", [("Accept", "text/csv"), ("Accept", "application/json;q=0.5")], CSV_TYPE),
    (
        "/v1/entities",
        [("Accept", "text/csv;q=0.5"), ("Accept", "application/json")],
        "application/json",
    ),
    # Probes and pages ignore Accept (RFC 9110 §12.1 lets them).
    ("/livez", [("Accept", "text/csv")], "application/json"),
    ("/docs", [("Accept", "application/json")], "text/html; charset=utf-8"),
]


@pytest.mark.parametrize(("url", "headers", "expected"), HTTP_CASES, ids=str)
def test_the_app_negotiates_every_route_the_same_way(
    client: TestClient, url: str, headers: list[tuple[str, str]], expected: str | int
) -> None:
    response = client.get(url, headers=headers)
    if isinstance(expected, int):
        body = assert_problem(response, expected, url.split("?")[0])
        if expected == 406:
            assert "offers" in body["detail"]
    else:
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == expected


@pytest.mark.parametrize(
    ("accept_encoding", "encoded"),
    [("gzip", "gzip"), ("gzip;q=0, identity", None), ("GZIP;q=1", "gzip"), ("br", None)],
)
def test_gzip_follows_accept_encoding(
    client: TestClient, accept_encoding: str, encoded: str | None
) -> None:
    response = client.get("/v1/metrics", headers={"Accept-Encoding": accept_encoding})
    assert response.headers.get("content-encoding") == encoded
    assert response.json()["total"] > 0


def test_nothing_acceptable_in_accept_encoding_is_a_406(client: TestClient) -> None:
    response = client.get("/v1/metrics", headers={"Accept-Encoding": "*;q=0"})
    assert_problem(response, 406, "/v1/metrics")


def test_identity_excluded_gzips_even_a_small_body(client: TestClient) -> None:
    response = client.get(
        f"/v1/metrics/{GDP_Q1_Q3}", headers={"Accept-Encoding": "gzip, identity;q=0"}
    )
    assert response.headers.get("content-encoding") == "gzip"
    assert response.json()["id"] == GDP_Q1_Q3


@pytest.mark.parametrize(
    ("headers", "field"),
    [
        ({"Accept-Encoding": "identity;q=0, gzip;q=0"}, "Accept-Encoding"),
        ({"Accept-Encoding": "br, identity;q=0"}, "Accept-Encoding"),
        ({"Accept": "image/png"}, "Accept, format"),
        ({"Accept": "text/csv;q=0, application/*;q=0"}, "Accept, format"),
    ],
)
@pytest.mark.parametrize("url", ["/v1/metrics", "/v1/metrics/gdp-2021-q1-q3", "/v1"])
def test_a_406_names_the_field_that_excluded_everything(
    client: TestClient, url: str, headers: dict[str, str], field: str
) -> None:
    response = client.get(url, headers=headers)
    assert response.status_code == 406
    assert f"({field})" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "media_type"),
    [
        ("%66ormat=csv", "text/csv"),
        ("f%6Frmat=ndjson", "application/x-ndjson"),
        ("format=%63sv", "text/csv"),
        ("%66%6F%72%6D%61%74=csv", "text/csv"),
        ("formats=csv", "application/json"),  # another parameter, ignored
    ],
)
def test_a_percent_encoded_format_is_the_format_the_route_reads(
    client: TestClient, query: str, media_type: str
) -> None:
    """The negotiation reads `format` as the route does: decoded (RFC 3986 §2.1, §6.2.2.2)."""
    response = client.get(f"/v1/metrics?{query}&limit=2")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
