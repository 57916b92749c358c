"""Datasette as a plain ASGI app, so uvicorn runs it with the same flags as the other servers.

`datasette serve` would call uvicorn.run() itself with its access log on; this module builds the
same app (`Datasette(...).app()`) with BENCH_DATASETTE_DB opened immutable (`-i`).

Two settings differ from the defaults (`--setting NAME VALUE` on the command line):

- `suggest_facets` off: by default every table page, JSON and CSV included, also runs a
  facet-suggestion query per column; our API computes nothing like it, so leaving it on would
  time work that is not part of the equivalent query. Counts stay on: our lists return totals.
- `sql_time_limit_ms` 30000 (default 1000): on the scaled data some equivalent queries take
  longer than a second under load and would be answered with a 400 instead of the rows; the
  limit matches wrk's timeout, so Datasette is timed answering, however slowly.
"""

import os

from datasette.app import Datasette

SETTINGS = {"suggest_facets": False, "sql_time_limit_ms": 30_000}

ds = Datasette(immutables=[os.environ["BENCH_DATASETTE_DB"]], settings=SETTINGS)
app = ds.app()
