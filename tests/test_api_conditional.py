"""Conditional requests (RFC 9110 §13): If-Match, If-None-Match, and Range ignored."""

import pytest
from fastapi.testclient import TestClient

from app.api.conditional import entity_tags, if_match_passes, if_none_match_fails
from tests.api_helpers import GDP_Q1_Q3, assert_problem

GDP = f"/v1/metrics/{GDP_Q1_Q3}"
OURS = '"0123456789abcdef0123456789abcdef"'


@pytest.mark.parametrize(
    ("field", "tags"),
    [
        ("*", None),
        (" * ", None),
        ('"a"', [(False, '"a"')]),
        ('W/"a"', [(True, '"a"')]),
        ('"a", W/"b",  "c"', [(False, '"a"'), (True, '"b"'), (False, '"c"')]),
        ('"a",,"b"', [(False, '"a"'), (False, '"b"')]),
        ('a, "b"', [(False, '"b"')]),  # an unquoted member is malformed: skipped
        ('"a"b, "c"', [(False, '"c"')]),
        ('"', []),
        ("", []),
    ],
)
def test_entity_tags_are_parsed_per_rfc_9110(
    field: str, tags: list[tuple[bool, str]] | None
) -> None:
    assert entity_tags(field) == tags


@pytest.mark.parametrize(
    ("field", "passes"),
    [("*", True), (OURS, True), (f'"x", {OURS}', True), (f"W/{OURS}", False), ('"x"', False)],
)
def test_if_match_uses_the_strong_comparison(field: str, passes: bool) -> None:
    assert if_match_passes(field, OURS) is passes


@pytest.mark.parametrize(
    ("field", "fails"),
    [("*", True), (OURS, True), (f"W/{OURS}", True), (f'"x",W/{OURS}', True), ('"x"', False)],
)
def test_if_none_match_uses_the_weak_comparison(field: str, fails: bool) -> None:
    assert if_none_match_fails(field, OURS) is fails


def _etag(client: TestClient, url: str = GDP) -> str:
    return str(client.get(url).headers["etag"])


# (headers built from the current ETag, expected status)
CASES = [
    (lambda e: {"If-Match": e}, 200),
    (lambda e: {"If-Match": f'"nope", {e}'}, 200),
    (lambda e: {"If-Match": "*"}, 200),
    (lambda e: {"If-Match": '"nope"'}, 412),
    (lambda e: {"If-Match": f"W/{e}"}, 412),  # weak tags never pass If-Match
    (lambda e: {"If-None-Match": e}, 304),
    (lambda e: {"If-None-Match": f"W/{e}"}, 304),
    (lambda e: {"If-None-Match": "*"}, 304),
    (lambda e: {"If-None-Match": '"nope"'}, 200),
    # If-Match is evaluated first (§13.2.2): when it fails, If-None-Match is not reached.
    (lambda e: {"If-Match": '"nope"', "If-None-Match": e}, 412),
    (lambda e: {"If-Match": e, "If-None-Match": e}, 304),
    (lambda e: {"If-Match": e, "If-None-Match": '"nope"'}, 200),
]


@pytest.mark.parametrize(("headers", "status"), CASES)
def test_preconditions_on_a_record(client: TestClient, headers: object, status: int) -> None:
    response = client.get(GDP, headers=headers(_etag(client)))  # type: ignore[operator]
    if status == 412:
        body = assert_problem(response, 412, GDP)
        assert body["type"] == "urn:zhuzhou-facts:problem:precondition-failed"
    else:
        assert response.status_code == status
        assert (response.content == b"") is (status == 304)


@pytest.mark.parametrize("header", ["If-Match", "If-None-Match"])
def test_preconditions_are_ignored_when_the_resource_is_missing(
    client: TestClient, header: str
) -> None:
    # §13.1: a response that would not be a 2xx ignores them.
    assert_problem(client.get("/v1/metrics/nope", headers={header: "*"}), 404, "/v1/metrics/nope")


@pytest.mark.parametrize("url", [GDP, "/v1/metrics?limit=3", "/docs-assets/favicon.png"])
def test_range_is_ignored_and_never_advertised(client: TestClient, url: str) -> None:
    whole = client.get(url)
    for headers in ({"Range": "bytes=0-9"}, {"Range": "bytes=9999999-"}, {"Range": "pages=1"}):
        ranged = client.get(url, headers={**headers, "If-Range": whole.headers["etag"]})
        assert ranged.status_code == 200
        assert ranged.content == whole.content
        assert "accept-ranges" not in ranged.headers
        assert "content-range" not in ranged.headers


def test_preconditions_hold_on_a_real_server(live_url: str) -> None:
    import httpx

    with httpx.Client(base_url=live_url) as http:
        etag = http.get(GDP).headers["etag"]
        assert http.get(GDP, headers={"If-Match": etag}).status_code == 200
        assert http.get(GDP, headers={"If-Match": '"nope"'}).status_code == 412
        assert http.get(GDP, headers={"If-None-Match": etag}).status_code == 304
        ranged = http.get(GDP, headers={"Range": "bytes=0-1"})
        assert ranged.status_code == 200 and "accept-ranges" not in ranged.headers
