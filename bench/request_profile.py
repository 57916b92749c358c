"""Where a request's time goes, in-process: microseconds a request per scenario and layer.

    .venv/bin/python bench/request_profile.py [--output bench/request_profile.md] [--requests N]

Seeds a temporary database, starts the app's lifespan, and calls the ASGI app directly (no
server, no sockets) for each scenario: a first request (response cache off), a repeat (on), a
revalidation. Then it profiles the first requests with cProfile and sums the time spent in each
part of the stack: our layers, FastAPI's routing and parameter handling, the query, the rest.
The figures are for comparing code, not servers: bench/run measures the served rates.
"""

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.config import Settings  # noqa: E402
from app.dataset.load import seed_database  # noqa: E402
from app.main import create_app  # noqa: E402

SCENARIOS = {
    "one": ("/v1/metrics/gdp-2021-q1-q3", b""),
    "filtered": ("/v1/metrics", b"indicator=gdp-growth&limit=50"),
    "timeline": ("/v1/timeline", b"limit=50"),
    "search": ("/v1/search", b"q=%E5%9C%B0%E5%8C%BA%E7%94%9F%E4%BA%A7%E6%80%BB%E5%80%BC"),
    "all": ("/v1/metrics", b"limit=500"),
    "csv": ("/v1/metrics", b"limit=500&format=csv"),
}
HEADERS = [(b"host", b"127.0.0.1:8000")]  # what wrk sends in bench/run
# Where a function's own time is counted, by the file it is defined in (first match wins).
PARTS = [
    ("our layers (replay, edge, caching, negotiation)", "/app/api/"),
    ("query and rows (reader, SQLAlchemy, sqlite3)", "/app/store/"),
    ("query and rows (reader, SQLAlchemy, sqlite3)", "/sqlalchemy/"),
    ("query and rows (reader, SQLAlchemy, sqlite3)", "sqlite3"),
    ("FastAPI: parameters and dependencies", "fastapi/dependencies/"),
    ("FastAPI: parameters and dependencies", "pydantic"),
    ("FastAPI and Starlette: routing, requests, responses", "/fastapi/"),
    ("FastAPI and Starlette: routing, requests, responses", "/starlette/"),
    ("worker threads: handing work over and waiting for it", "/anyio/"),
    ("worker threads: handing work over and waiting for it", "threading"),
    ("worker threads: handing work over and waiting for it", "epoll"),
    ("worker threads: handing work over and waiting for it", "lock"),
    ("asyncio and the rest", ""),
]


class Harness:
    """The app with its lifespan started, and a way to call it."""

    def __init__(self, settings: Settings) -> None:
        self.app = create_app(settings)
        self.sent: list[dict[str, Any]] = []

    async def start(self) -> None:
        started: list[Any] = []
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        await queue.put({"type": "lifespan.startup"})

        async def lsend(message: dict[str, Any]) -> None:
            started.append(message)

        lifespan = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self.lifespan = asyncio.create_task(self.app(lifespan, queue.get, lsend))
        while not started:
            await asyncio.sleep(0.01)

    async def call(self, path: str, query: bytes, extra: list[tuple[bytes, bytes]]) -> int:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1"}
        scope |= {"method": "GET", "scheme": "http", "path": path, "raw_path": path.encode()}
        scope |= {"query_string": query, "root_path": "", "headers": HEADERS + extra}
        scope |= {"client": ("127.0.0.1", 1), "server": ("127.0.0.1", 8000), "state": {}}

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            self.sent.append(message)

        self.sent.clear()
        await self.app(scope, receive, send)
        status: int = self.sent[0]["status"]
        return status


async def timed(call: Callable[[], Any], n: int) -> float:
    """Microseconds per call, after a warm-up."""
    for _ in range(min(50, n)):
        await call()
    t0 = time.perf_counter()
    for _ in range(n):
        await call()
    return (time.perf_counter() - t0) / n * 1e6


async def measure(url: str, n: int) -> tuple[dict[str, dict[str, float]], pstats.Stats]:
    uncached = Harness(Settings(database_url=url, auto_seed=False, response_cache_size=0))
    cached = Harness(Settings(database_url=url, auto_seed=False))
    await uncached.start()
    await cached.start()
    rows: dict[str, dict[str, float]] = {}
    for name, (path, query) in SCENARIOS.items():
        rows[name] = await _one_scenario(uncached, cached, path, query, n)
    profiler = cProfile.Profile()
    profiler.enable()
    for path, query in SCENARIOS.values():
        for _ in range(n):
            await uncached.call(path, query, [])
    profiler.disable()
    return rows, pstats.Stats(profiler)


async def _one_scenario(
    uncached: Harness, cached: Harness, path: str, query: bytes, n: int
) -> dict[str, float]:
    assert await uncached.call(path, query, []) == 200, path
    assert await cached.call(path, query, []) == 200, path
    revalidate = [(b"if-none-match", dict(cached.sent[0]["headers"])[b"etag"])]
    return {
        "first request (cache off)": await timed(lambda: uncached.call(path, query, []), n),
        "repeat (replayed)": await timed(lambda: cached.call(path, query, []), n * 10),
        "revalidation (304)": await timed(lambda: cached.call(path, query, revalidate), n * 10),
    }


def by_part(stats: pstats.Stats) -> dict[str, float]:
    """Share of the profiled time each part of the stack spends in its own functions."""
    totals: dict[str, float] = {}
    for (filename, _, function), (_, _, own, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = function if filename == "~" else filename  # built-ins are named by function
        part = next(label for label, marker in PARTS if marker in where)
        totals[part] = totals.get(part, 0.0) + own
    whole = sum(totals.values())
    return {part: share / whole for part, share in totals.items()}


def report(rows: dict[str, dict[str, float]], parts: dict[str, float], n: int) -> str:
    kinds = list(next(iter(rows.values())))
    lines = ["# Where a request's time goes", ""]
    lines += [f"In-process, per request (µs); {n} first requests a scenario. Written by"]
    lines += ["`bench/request_profile.py`; bench/analysis.md says what it led to.", ""]
    lines += ["| scenario | " + " | ".join(kinds) + " |", "| --- |" + " --- |" * len(kinds)]
    for scenario, row in rows.items():
        lines.append(f"| {scenario} | " + " | ".join(f"{row[k]:.1f}" for k in kinds) + " |")
    lines += ["", "Own time of first requests (cache off), by part of the stack:", ""]
    lines += ["| part | share |", "| --- | --- |"]
    lines += [f"| {p} | {share:.0%} |" for p, share in sorted(parts.items(), key=lambda x: -x[1])]
    return "\n".join(lines) + "\n"


def main() -> None:
    """Command line: seed, measure, profile, print (and write) the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'profile.sqlite3'}"
        seed_database(url, ROOT / "seed")
        rows, stats = asyncio.run(measure(url, args.requests))
    text = report(rows, by_part(stats), args.requests)
    print(text)
    if args.output:
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
