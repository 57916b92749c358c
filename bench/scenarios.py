"""The timed requests: our paths and the Datasette query that answers the same question."""

import csv
import http.client
import io
import json
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from synth import clone_city

METRIC_ID = "gdp-2021-q1-q3"
INDICATOR = "gdp-growth"

# Our search looks in names (zh, en), expressions, quotes and ids of four tables (and the names of
# linked records); Datasette has no such view, so it runs a LIKE match over the same columns of
# the four tables as one SQL query (no links, no ranking: sorted by type, id).
_NAMED = ("name_zh", "name_en", "as_written", "quote", "id")
_SEARCHED = {
    "metric": ("name_zh", "name_en", _NAMED),
    "industry_chain": ("name_zh", "name_en", _NAMED),
    "event": ("title_zh", "title_en", ("title_zh", "title_en", "quote", "id")),
    "entity": ("name_zh", "name_en", _NAMED),
}
SEARCH_SQL = (
    "\nunion all\n".join(
        f"select '{table}' as type, id, {zh} as name_zh, {en} as name_en, quote from {table}\n"
        f"  where {' or '.join(f'{c} like :p' for c in cols)}"
        for table, (zh, en, cols) in _SEARCHED.items()
    )
    + "\norder by type, id limit 50"
)
_SEARCH_NOTE = (
    "one SQL query (?sql=): LIKE over the same columns of the four tables, union all, "
    "order by type, id, limit 50; no links, no ranking"
)


@dataclass(frozen=True)
class Scenario:
    """One request, on our server and (when it has one) on Datasette.

    Templates take {sfx} (the clone suffix of the scale dataset, "" on the small one) and, for
    Datasette, {db} (the database name: the file stem). A search scenario's query is a
    template over {city_zh} and {city_en}: the city of that clone (株洲 / Zhuzhou on the small
    data; see synth.clone_city), so a selective query stays selective on the scaled data.
    """

    key: str
    title: str
    ours: str
    datasette: str | None
    datasette_note: str = ""
    revalidate: bool = False  # send If-None-Match with the ETag of the 200: expect 304
    paged: bool = False  # a filtered or paged query with limit 50 (target 3)
    search: str | None = None  # the query of a search scenario (then ours/datasette are unused)

    def query(self, sfx: str) -> str:
        zh, en = clone_city(sfx)
        return (self.search or "").format(city_zh=zh, city_en=en)

    def ours_target(self, sfx: str) -> str:
        if self.search is not None:
            return "/v1/search?" + urlencode({"q": self.query(sfx)}, quote_via=quote)
        return self.ours.format(sfx=sfx)

    def datasette_target(self, db: str, sfx: str) -> str | None:
        if self.search is not None:
            p = f"%{self.query(sfx)}%"
            return f"/{db}.json?" + urlencode({"sql": SEARCH_SQL, "p": p, "_shape": "objects"})
        return self.datasette.format(db=db, sfx=sfx) if self.datasette else None

    @property
    def expect(self) -> int:
        return 304 if self.revalidate else 200


SCENARIOS = [
    Scenario(
        "all",
        "all metrics (limit=500)",
        "/v1/metrics?limit=500",
        "/{db}/metric.json?_size=500&_sort=period_start&_shape=objects",
    ),
    Scenario(
        "filtered",
        f"filtered list (indicator={INDICATOR}, limit=50)",
        f"/v1/metrics?indicator={INDICATOR}&limit=50",
        f"/{{db}}/metric.json?indicator={INDICATOR}&_size=50&_sort=period_start&_shape=objects",
        paged=True,
    ),
    Scenario(
        "one",
        "one metric by id",
        f"/v1/metrics/{METRIC_ID}{{sfx}}",
        f"/{{db}}/metric/{METRIC_ID}{{sfx}}.json?_shape=objects",
    ),
    Scenario(
        "timeline",
        "timeline (limit=50)",
        "/v1/timeline?limit=50",
        "/{db}/event.json?_size=50&_sort=date_start&_shape=objects",
        paged=True,
    ),
    # Search: selective queries (a clone's city and what is named after it match one clone's
    # records on the scaled data, about as many as on the small data) and a broad one (轨道交通
    # is in quotes and shared names, so it matches every clone: 1000× as many records).
    Scenario(
        "search",
        "search, selective, 3+ Chinese characters: 株洲高新区 (a clone's city + 高新区)",
        "",
        None,
        datasette_note=_SEARCH_NOTE,
        search="{city_zh}高新区",
    ),
    Scenario(
        "search-2",
        "search, selective, 2 Chinese characters: 株洲 (a clone's city)",
        "",
        None,
        datasette_note=_SEARCH_NOTE,
        search="{city_zh}",
    ),
    Scenario(
        "search-en",
        "search, selective, an English word: Zhuzhou (a clone's city)",
        "",
        None,
        datasette_note=_SEARCH_NOTE,
        search="{city_en}",
    ),
    Scenario(
        "search-broad",
        "search, broad: 轨道交通",
        "",
        None,
        datasette_note=_SEARCH_NOTE,
        search="轨道交通",
    ),
    Scenario(
        "csv",
        "CSV of all metrics (limit=500)",
        "/v1/metrics?limit=500&format=csv",
        "/{db}/metric.csv?_size=500&_sort=period_start",
    ),
    Scenario(
        "revalidate",
        "If-None-Match revalidation (all metrics)",
        "/v1/metrics?limit=500",
        None,
        revalidate=True,
    ),
]


@dataclass
class Fetched:
    """A response as received, headers in order."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def fetch(port: int, target: str, headers: dict[str, str] | None = None) -> Fetched:
    """GET with only Host (plus the given headers): the request wrk sends."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.putrequest("GET", target, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        conn.endheaders()
        resp = conn.getresponse()
        return Fetched(resp.status, resp.getheaders(), resp.read())
    finally:
        conn.close()


def count_rows(f: Fetched, target: str) -> str:
    """What the body holds: rows of a JSON list or object page, CSV records, or one record."""
    if f.status == 304:
        return "-"
    # Datasette sends its CSV as text/plain unless asked to download it.
    if "csv" in (f.header("content-type") or "") or ".csv" in target or "format=csv" in target:
        records = list(csv.reader(io.StringIO(f.body.decode("utf-8"))))
        return f"{max(len(records) - 1, 0)} rows"
    try:
        data = json.loads(f.body)
    except ValueError:
        return "?"
    if isinstance(data, dict):
        for key in ("items", "rows"):
            if isinstance(data.get(key), list):
                total = data.get("total", data.get("filtered_table_rows_count"))
                of = f" of {total}" if total is not None else ""
                return f"{len(data[key])}{of} rows"
        return "1 record"
    if isinstance(data, list):
        return f"{len(data)} rows"
    return "?"


def total_of(f: Fetched) -> int | None:
    """How many records match in all, as a JSON page of ours says (`total`); None otherwise."""
    if f.status != 200 or "json" not in (f.header("content-type") or ""):
        return None
    try:
        data = json.loads(f.body)
    except ValueError:
        return None
    total = data.get("total") if isinstance(data, dict) else None
    return total if isinstance(total, int) else None
