"""Record the API's responses to a fixed set of requests, and compare two recordings.

A refactoring that must not change what clients see is checked with it: record on the commit
before the change, record after, compare.

    python -m tests.snapshots record before.json      # on the old commit
    python -m tests.snapshots record after.json       # on the new one
    python -m tests.snapshots compare before.json after.json

Each request runs in-process against a freshly seeded SQLite database. Recorded: status, every
header (names lower-cased, in order) and the body. Header fields are compared in name order:
the order of different field names carries no meaning (RFC 9110 §5.3). ETags are derived from
a fingerprint of the code, so they differ between two commits by design; the comparison checks
instead that two responses share an ETag in one recording exactly when they share it in the
other. The requests cover every route, both formats, every filter and sort, errors, HEAD,
OPTIONS, CORS preflights and 304 revalidations, and every record's detail URL.
"""

import argparse
import base64
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings

Request = tuple[str, str, list[tuple[str, str]]]  # method, URL, headers
ORIGIN = "https://dashboard.example"
GZIP = ("Accept-Encoding", "gzip")
CSV = ("Accept", "text/csv")


def requests(client: TestClient) -> list[Request]:
    """The requests to record: fixed ones, then every record's detail URL."""
    fixed: list[Request] = []

    def get(url: str, *headers: tuple[str, str]) -> None:
        fixed.append(("GET", url, list(headers)))

    for url in (
        "/",
        "/v1",
        "/livez",
        "/readyz",
        "/openapi.json",
        "/docs",
        "/redoc",
        "/docs-assets/favicon.png",
        "/docs-assets/nope.js",
        "/nope",
        "/v1/nope",
        "/v1/metrics/",
    ):
        get(url)
    metrics = "/v1/metrics"
    for query in (
        "",
        "?limit=500",
        "?limit=5",
        "?limit=5&offset=5",
        "?limit=7&offset=56",
        "?offset=100",
        "?indicator=gdp",
        "?indicator=gdp-growth",
        "?indicator=surface-water-quality-class",
        "?indicator=nope",
        "?indicator=",
        "?subject=zhuzhou",
        "?subject=qingshuitang-old-industrial-zone",
        "?kind=actual",
        "?kind=target",
        "?chain=rail-transit-equipment-cluster",
        "?year=2016",
        "?year=2018",
        "?year=2020",
        "?year=2021",
        "?year=2022",
        "?year=2025",
        "?from=2020",
        "?to=2018",
        "?from=2019&to=2020-06",
        "?from=2021-10-01&to=2021-10-31",
        "?year=2021&from=2021-06",
        "?q=GDP",
        "?q=gdp",
        "?q=%E5%9C%B0%E5%8C%BA",
        "?q=%25",
        "?q=_",
        "?q=%20",
        "?q=%00",
        "?indicator=gdp&kind=actual&sort=-period",
        "?format=csv",
        "?format=csv&limit=500",
        "?format=csv&indicator=gdp",
        "?format=json&limit=3",
        "?limit=3&limit=4",
        "?kind=actual&category=economy&limit=10&offset=2",
    ):
        get(metrics + query)
    for category in (
        "economy",
        "industry",
        "enterprise",
        "innovation",
        "environment",
        "relocation",
        "investment",
        "trade",
    ):
        get(f"{metrics}?category={category}")
    for unit in ("CNY", "USD", "percent", "count", "day", "km2", "rank", "water_class"):
        get(f"{metrics}?unit={unit}&limit=500")
    for sort in ("period", "-period", "value", "-value", "id", "-id", "document"):
        get(f"{metrics}?sort={sort}&limit=500")
        get(f"{metrics}?sort={sort}&limit=500&format=csv")
    for bad in (
        "?limit=0",
        "?limit=501",
        "?limit=x",
        "?offset=-1",
        "?kind=nope",
        "?category=nope",
        "?unit=nope",
        "?sort=nope",
        "?format=xml",
        "?year=1800",
        "?from=2020-13",
        "?from=2021-02-30",
        "?from=2021&to=2020",
        "?q=",
    ):
        get(metrics + bad)
    for query in ("", "?category=economy", "?q=GDP", "?format=csv", "?limit=10&offset=40"):
        get("/v1/indicators" + query)
    for query in (
        "",
        "?kind=cluster",
        "?kind=industry",
        "?parent=three-plus-three-plus-two-system",
        "?q=rail",
        "?format=csv",
        "?kind=nope",
    ):
        get("/v1/industry-chains" + query)
    for query in (
        "",
        "?from=2021",
        "?to=2016",
        "?from=2020&to=2021-03",
        "?q=great",
        "?entity=zhuzhou",
        "?format=csv",
        "?from=nope",
    ):
        get("/v1/timeline" + query)
    for query in ("", "?type=person", "?type=place", "?q=crrc", "?format=csv", "?type=nope"):
        get("/v1/entities" + query)
    for query in ("", "?format=csv", "?limit=1"):
        get("/v1/documents" + query)
    for query in (
        "?q=GDP",
        "?q=%E5%9C%B0%E5%8C%BA%E7%94%9F%E4%BA%A7%E6%80%BB%E5%80%BC",
        "?q=%E8%BD%A8%E9%81%93%E4%BA%A4%E9%80%9A",
        "?q=rail&limit=3&offset=1",
        "?q=rail&format=csv",
        "?q=%20%20x",
        "?q=a",
        "",
    ):
        get("/v1/search" + query)
    for missing in (
        "/v1/metrics/nope",
        "/v1/indicators/nope",
        "/v1/industry-chains/nope",
        "/v1/timeline/nope",
        "/v1/entities/nope",
        "/v1/documents/nope",
        "/v1/documents/nope/text",
        "/v1/entities/%E6%A0%AA%E6%B4%B2",
    ):
        get(missing)
    # Negotiation, compression and CORS on a few representative URLs.
    for url in ("/v1/metrics?limit=5", "/v1/metrics/gdp-2021-q1-q3", "/v1/metrics?limit=500"):
        get(url, CSV)
        get(url, ("Accept", "text/csv;q=0.5, application/json"))
        get(url, GZIP)
        get(url, CSV, GZIP)
        get(url, ("Origin", ORIGIN))
        fixed.append(("HEAD", url, []))
        fixed.append(("HEAD", url, [GZIP]))
        fixed.append(("OPTIONS", url, []))
        fixed.append(
            ("OPTIONS", url, [("Origin", ORIGIN), ("Access-Control-Request-Method", "GET")])
        )
        fixed.append(
            ("OPTIONS", url, [("Origin", ORIGIN), ("Access-Control-Request-Method", "POST")])
        )
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            fixed.append((method, url, []))
    for url in ("/v1/nope", "/livez", "/readyz", "/openapi.json"):
        fixed.append(("HEAD", url, []))
        fixed.append(("OPTIONS", url, []))
        fixed.append(("POST", url, []))
    details: list[Request] = []
    for path in (
        "/v1/metrics",
        "/v1/indicators",
        "/v1/industry-chains",
        "/v1/timeline",
        "/v1/entities",
        "/v1/documents",
    ):
        for item in client.get(path, params={"limit": 500}).json()["items"]:
            details.append(("GET", f"{path}/{item['id']}", []))
    details.append(("GET", "/v1/documents/zhuzhou-2021-11-09/text", []))
    return fixed + details


def _record_one(client: TestClient, method: str, url: str, headers: list[tuple[str, str]]) -> Any:
    response = client.request(method, url, headers=headers)
    raw = response.content
    try:
        body: dict[str, str] = {"text": raw.decode("utf-8")}
    except UnicodeDecodeError:
        body = {"base64": base64.b64encode(raw).decode("ascii")}
    return {
        "request": [method, url, headers],
        "status": response.status_code,
        "headers": [[k.decode("latin-1"), v.decode("latin-1")] for k, v in response.headers.raw],
        "body": body,
    }


def record(out: Path) -> int:
    """Seed a fresh database, run every request (and a 304 for each 200 GET), write JSON."""
    from app.dataset.load import seed_database
    from app.main import create_app

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'facts.sqlite3'}"
        seed_database(url, PROJECT_ROOT / "seed")
        settings = Settings(database_url=url, auto_seed=False)
        records = []
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            client.headers.clear()  # no default Accept / Accept-Encoding / User-Agent
            for method, target, headers in requests(client):
                rec = _record_one(client, method, target, headers)
                records.append(rec)
                etag = dict(rec["headers"]).get("etag")
                if method == "GET" and rec["status"] == 200 and etag:
                    revalidate = [*headers, ("If-None-Match", etag)]
                    records.append(_record_one(client, "GET", target, revalidate))
    for rec in records:  # the 304s send the ETag they got: keep it comparable
        rec["request"][2] = [
            [k, "<etag>" if k == "If-None-Match" else v] for k, v in rec["request"][2]
        ]
    out.write_text(json.dumps(records, ensure_ascii=False, indent=1))
    print(f"recorded {len(records)} responses to {out}")
    return 0


def _comparable(rec: dict[str, Any]) -> dict[str, Any]:
    """The record without its ETag, its header fields in name order: RFC 9110 §5.3 makes the
    order of fields with different names insignificant (lines of one name keep their order)."""
    headers = [h for h in rec["headers"] if h[0] != "etag"]
    return {**rec, "headers": sorted(headers, key=lambda h: h[0])}


def compare(before: Path, after: Path) -> int:
    """Print every difference; exit 1 if there is any."""
    a = json.loads(before.read_text())
    b = json.loads(after.read_text())
    problems: list[str] = []
    if [r["request"] for r in a] != [r["request"] for r in b]:
        problems.append("the two recordings do not hold the same requests")
    etag_groups: list[dict[str, str]] = [{}, {}]
    for x, y in zip(a, b, strict=False):
        where = " ".join(str(p) for p in x["request"][:2])
        cx, cy = _comparable(x), _comparable(y)
        if cx != cy:
            for field in ("status", "headers", "body"):
                if cx[field] != cy[field]:
                    problems.append(
                        f"{where}: {field} differs\n  before: {cx[field]}\n  after:  {cy[field]}"[
                            :2000
                        ]
                    )
        for group, rec in zip(etag_groups, (x, y), strict=True):
            etag = dict(rec["headers"]).get("etag")
            if etag is not None:
                group.setdefault(etag, where)
        ex, ey = dict(x["headers"]).get("etag"), dict(y["headers"]).get("etag")
        if (ex is None) != (ey is None):
            problems.append(f"{where}: ETag present in one recording only")
        elif ex is not None and ey is not None and etag_groups[0][ex] != etag_groups[1][ey]:
            problems.append(f"{where}: shares its ETag with different responses than before")
    for p in problems:
        print(p)
    print(f"{len(a)} responses compared; {len(problems)} difference(s)")
    return 1 if problems else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: record OUT | compare BEFORE AFTER."""
    parser = argparse.ArgumentParser(prog="python -m tests.snapshots", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("record")
    p.add_argument("out", type=Path)
    p = sub.add_parser("compare")
    p.add_argument("before", type=Path)
    p.add_argument("after", type=Path)
    args = parser.parse_args(argv)
    if args.command == "record":
        return record(args.out)
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
