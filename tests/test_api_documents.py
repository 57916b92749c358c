"""GET /v1/documents: the source, its paragraphs, its text, and every quote against it."""

import hashlib
from itertools import pairwise

from fastapi.testclient import TestClient

from tests.api_helpers import (
    DOCUMENT,
    fetch_all,
    ids,
)
from tests.conftest import SEED_DIR


def test_the_document_list_holds_the_one_source(client: TestClient) -> None:
    items = fetch_all(client, "/v1/documents")
    assert ids(items) == [DOCUMENT]
    assert items[0] == client.get(f"/v1/documents/{DOCUMENT}").json()


def test_the_document_has_44_numbered_body_paragraphs_in_order(client: TestClient) -> None:
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    paragraphs = doc["paragraphs"]
    body = [p for p in paragraphs if p["role"] == "body"]
    assert [p["number"] for p in body] == list(range(1, 45))
    assert all(p["number"] is None for p in paragraphs if p["role"] != "body")
    assert [p["index"] for p in paragraphs] == list(range(len(paragraphs)))
    bounds = [(p["start"], p["end"]) for p in paragraphs]
    assert all(s < e for s, e in bounds)
    assert all(e1 <= s2 for (_, e1), (s2, _) in pairwise(bounds))
    assert {p["role"] for p in paragraphs} == {"header", "title", "dateline", "body", "footer"}


def test_the_text_is_the_stored_file_as_utf8_plain_text(client: TestClient) -> None:
    response = client.get(f"/v1/documents/{DOCUMENT}/text")
    doc = client.get(f"/v1/documents/{DOCUMENT}").json()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert hashlib.sha256(response.content).hexdigest() == doc["sha256"]
    assert len(response.content.decode("utf-8")) == doc["char_count"]
    source = SEED_DIR / "documents" / DOCUMENT / "source.txt"
    assert response.content == source.read_bytes()


def test_every_quote_is_the_text_between_its_offsets_inside_its_paragraph(
    client: TestClient,
) -> None:
    text = client.get(f"/v1/documents/{DOCUMENT}/text").content.decode("utf-8")
    paragraphs = client.get(f"/v1/documents/{DOCUMENT}").json()["paragraphs"]
    body = {p["number"]: p for p in paragraphs if p["role"] == "body"}
    checked = 0
    for path in ("/v1/metrics", "/v1/timeline", "/v1/entities", "/v1/industry-chains"):
        for record in fetch_all(client, path):
            source = record["source"]
            assert source["document"] == DOCUMENT
            assert text[source["start"] : source["end"]] == source["quote"], record["id"]
            paragraph = body[source["paragraph"]]
            assert paragraph["start"] <= source["start"] < source["end"] <= paragraph["end"]
            checked += 1
    assert checked == sum(
        client.get("/v1").json()["counts"][k]
        for k in ("metrics", "events", "entities", "industry_chains")
    )
