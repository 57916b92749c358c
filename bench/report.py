"""Machine facts, versions, medians, the tables and the target verdicts, as Markdown."""

import datetime as dt
import importlib.metadata
import os
import platform
import sqlite3
import statistics
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from scenarios import SCENARIOS, SEARCH_SQL, Scenario
from wrk import WrkResult

# The targets of the issue.
MIN_BARE_RATIO = 0.80
MAX_P99_MS = 10.0
MIN_DATASETTE_RATIO = 5.0
MIN_SCALE_RATIO = 0.5
MAX_RSS_MB = 150.0

# A timed run during which other work used more than this much of a core is listed as noisy.
NOISY_PCT = 10.0

PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "datasette",
)


@dataclass
class Cell:
    """The medians of one (server, scenario) over the rounds, and the errors seen in any."""

    rps: float
    p50: float
    p99: float
    rounds: list[WrkResult]

    @classmethod
    def of(cls, runs: list[WrkResult]) -> "Cell":
        return cls(
            rps=statistics.median(r.rps for r in runs),
            p50=statistics.median(r.p50_ms for r in runs),
            p99=statistics.median(r.p99_ms for r in runs),
            rounds=runs,
        )

    @property
    def errors(self) -> int:
        return sum(r.errors for r in self.rounds)

    @property
    def spread(self) -> str:
        lo = min(r.rps for r in self.rounds)
        hi = max(r.rps for r in self.rounds)
        return f"{lo:,.0f}–{hi:,.0f}"


@dataclass
class Run:
    """Everything measured in one run of the bench."""

    started: dt.datetime
    elapsed_s: float
    params: dict[str, str]
    results: dict[tuple[str, str], list[WrkResult]]
    rss_mb: dict[str, float | None]
    # server, scenario, request target, status, body bytes, what the body holds
    responses: list[tuple[str, str, str, int, int, str]]
    notes: list[str] = field(default_factory=list)

    def cell(self, server: str, scenario: str) -> Cell | None:
        runs = self.results.get((server, scenario))
        return Cell.of(runs) if runs else None


# --- facts ---------------------------------------------------------------------------


def machine() -> dict[str, str]:
    """CPU model, cores, memory, kernel and OS."""
    cpu = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    os_name = platform.system()
    osr = Path("/etc/os-release")
    if osr.exists():
        for line in osr.read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                os_name = line.split("=", 1)[1].strip('"')
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": f"{mem_kb / 1024 / 1024:.1f} GiB",
        "kernel": platform.release(),
        "os": os_name,
    }


def versions(repo: Path) -> dict[str, str]:
    """Python, the packages that serve requests, SQLite, wrk, and the commit under test."""
    out = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for pkg in PACKAGES:
        try:
            out[pkg] = importlib.metadata.version(pkg)
        except importlib.metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    out["wrk"] = (wrk.stdout + wrk.stderr).split("Copyright")[0].strip() or "unknown"
    out["commit"] = _git(repo)
    return out


def _git(repo: Path) -> str:
    # Read-only look-ups: --no-optional-locks keeps `status` from touching the index.
    try:
        head = subprocess.run(
            ["git", "-C", str(repo), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(repo), "status", "--porcelain", "app"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + (" with uncommitted changes in app/" if dirty else "")


# --- formatting ----------------------------------------------------------------------


def _rps(c: Cell | None) -> str:
    if c is None:
        return "n/a"
    flag = f" ⚠{c.errors} err" if c.errors else ""
    if c.rps == 0:
        flag += " (no answer within the run)"
    return f"{c.rps:,.0f}{flag}"


def _ms(v: float | None) -> str:
    return "n/a" if v is None else (f"{v:.2f}" if v < 100 else f"{v:,.0f}")


def _ratio(a: Cell | None, b: Cell | None) -> str:
    if a is None or b is None or b.rps == 0:
        return "n/a"
    return f"{a.rps / b.rps:.2f}"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in head) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return lines


def _triple(c: Cell | None) -> list[str]:
    if c is not None and c.rps == 0:  # nothing completed: wrk's percentiles mean nothing
        return [_rps(c), "n/a", "n/a"]
    return [_rps(c), _ms(c.p50 if c else None), _ms(c.p99 if c else None)]


# --- targets -------------------------------------------------------------------------


@dataclass
class Verdict:
    """One target: what it asks, what was measured, and whether it holds."""

    name: str
    asks: str
    measured: str
    ok: bool
    short: str = ""


def _div(a: float, b: float) -> float:
    return a / b if b else (float("inf") if a else 0.0)


def _worst(items: list[tuple[str, float]], low_is_bad: bool = True) -> tuple[str, float]:
    return min(items, key=lambda x: x[1]) if low_is_bad else max(items, key=lambda x: x[1])


def _listing(items: list[tuple[str, float]], fmt: str = "{:.2f}") -> str:
    return ", ".join(f"{k} {fmt.format(v)}" for k, v in items)


def _ratios(run: Run, num: str, den: str, keys: list[str]) -> list[tuple[str, float]]:
    out = []
    for k in keys:
        a, b = run.cell(num, k), run.cell(den, k)
        if a and b:
            out.append((k, _div(a.rps, b.rps)))
    return out


def verdicts(run: Run, scale: bool) -> list[Verdict]:
    """The four targets of the issue, judged on the medians; a FAIL names every cell short."""
    out: list[Verdict] = []
    every = [s.key for s in SCENARIOS]

    ratios = _ratios(run, "ours-cached", "bare", every)
    if ratios:
        cells = {k: run.cell("ours-cached", k) for k, _ in ratios}
        p99s = [(k, c.p99) for k, c in cells.items() if c]
        errs = sum(c.errors for c in cells.values() if c)
        low = [(k, r) for k, r in ratios if r < MIN_BARE_RATIO]
        slow = [(k, v) for k, v in p99s if v >= MAX_P99_MS]
        short = []
        if low:
            gap = MIN_BARE_RATIO - _worst(low)[1]
            short.append(
                f"ratio below {MIN_BARE_RATIO:.2f} on {_listing(low)} (worst {gap:.2f} short)"
            )
        if slow:
            short.append(f"p99 ≥ {MAX_P99_MS:g} ms on {_listing(slow, '{:.1f} ms')}")
        if errs:
            short.append(f"{errs} error responses")
        wk, wr = _worst(ratios)
        pk, pv = _worst(p99s, low_is_bad=False)
        out.append(
            Verdict(
                "1. Repeated requests (cache on) vs bare ASGI",
                f"ours/bare req/s ≥ {MIN_BARE_RATIO:.2f} and p99 < {MAX_P99_MS:g} ms at "
                f"{run.params['connections']} connections, every scenario",
                f"lowest ratio {wr:.2f} ({wk}); highest p99 {pv:.2f} ms ({pk})",
                not short,
                "; ".join(short),
            )
        )

    ratios = _ratios(run, "ours-uncached", "datasette", every)
    if ratios:
        low = [(k, r) for k, r in ratios if r < MIN_DATASETTE_RATIO]
        wk, wr = _worst(ratios)
        out.append(
            Verdict(
                "2. First requests (cache off) vs Datasette",
                f"ours/Datasette req/s ≥ {MIN_DATASETTE_RATIO:g} on every scenario it serves",
                f"lowest ratio {wr:.2f} ({wk})",
                not low,
                f"below {MIN_DATASETTE_RATIO:g}× on {len(low)} of {len(ratios)} scenarios: "
                f"{_listing(low)} (worst {MIN_DATASETTE_RATIO - wr:.2f} short)"
                if low
                else "",
            )
        )

    if scale:
        n = run.params["copies"]
        paged = [s.key for s in SCENARIOS if s.paged]
        ratios = _ratios(run, "ours-uncached-big", "ours-uncached", paged)
        if ratios:
            low = [(k, r) for k, r in ratios if r < MIN_SCALE_RATIO]
            out.append(
                Verdict(
                    f"3. Filtered and paged queries at {n}× the data (cache off)"
                    + ("" if n == "1000" else " (the target asks 1000×)"),
                    f"x{n}/small req/s ≥ {MIN_SCALE_RATIO:g} for " + ", ".join(paged),
                    _listing(ratios),
                    not low,
                    f"below {MIN_SCALE_RATIO:g} on {_listing(low)}" if low else "",
                )
            )

    rss = run.rss_mb.get("ours-cached")
    if rss is not None:
        out.append(
            Verdict(
                "4. Resident memory after the run (cache on, small data)",
                f"VmRSS < {MAX_RSS_MB:g} MB",
                f"{rss:.1f} MB",
                rss < MAX_RSS_MB,
                "" if rss < MAX_RSS_MB else f"{rss - MAX_RSS_MB:.1f} MB over",
            )
        )
    return out


# --- the document --------------------------------------------------------------------


def markdown(run: Run, mach: dict[str, str], vers: dict[str, str], scale: bool) -> str:
    """bench/results.md."""
    p = run.params
    n = p["copies"]
    scen = {s.key: s for s in SCENARIOS}
    L: list[str] = ["# Benchmark results", ""]
    L.append(
        f"Run {run.started:%Y-%m-%d %H:%M} UTC by `bench/run {p['argv']}`".rstrip()
        + f"; took {run.elapsed_s / 60:.1f} min. Written by the harness: do not edit by hand."
    )
    L += ["", "## Machine", ""]
    L += [
        f"- CPU: {mach['cpu']}, {mach['cores']} cores; memory {mach['memory']}",
        f"- OS: {mach['os']}, kernel {mach['kernel']}",
    ]
    L += ["", "## Versions", ""]
    L.append(", ".join(f"{k} {v}" for k, v in vers.items() if k != "commit"))
    L.append("")
    L.append(f"Code under test: commit {vers['commit']}.")
    L += ["", "## Method", ""]
    L += [
        f"- Servers: uvicorn `{p['uvicorn_flags']}` for all of them, on 127.0.0.1, "
        + (f"pinned to CPU {p['server_cpu']}" if p["server_cpu"] != "none" else "not pinned")
        + "; wrk "
        + (f"pinned to CPU {p['wrk_cpu']}" if p["wrk_cpu"] != "none" else "not pinned")
        + ".",
        f"- Load: `wrk -t1 -c{p['connections']} -d{p['duration']}s --latency` per cell, "
        f"{p['rounds']} interleaved rounds on the small data"
        + (f", {p['scale_rounds']} for the servers of the {n}× data" if scale else "")
        + " (each round runs every scenario on every server in turn). Figures are medians of "
        "the rounds; ratios are ratios of the medians. Latency in ms.",
        f"- Other work on the machine: {_foreign_summary(run)} (per timed run: CPU time of the "
        "whole machine from `/proc/stat` minus that of the server under test, wrk and the "
        f"bench; runs over {NOISY_PCT:g}% are listed at the end). 1-minute load average "
        f"{p['load']}.",
        "- A Lua script counts every response's status; a cell is flagged `⚠N err` when any "
        "round saw socket errors, non-2xx/3xx answers, or a status other than the expected one.",
        "- `ours-cached`: our server, response cache on (default `RESPONSE_CACHE_SIZE`). "
        "`ours-uncached`: `RESPONSE_CACHE_SIZE=0`. Both `AUTO_SEED=false`.",
        "- `bare`: a bare ASGI app (`bench/bare_asgi.py`) replaying the exact status, headers "
        "and body that `ours-cached` sent for the same request (checked byte for byte before "
        "timing).",
        "- `datasette`: Datasette (`bench/datasette_app.py`) serving the same SQLite file "
        "immutable; default settings but `suggest_facets` off (it would add a facet query per "
        "column to every table request, work our API does not do) and `sql_time_limit_ms` "
        "30000 (so that slow queries on the scaled data answer instead of failing with 400).",
        f"- Small data: the real seed ({p['small_counts']}). {n}× data: the real document "
        f"cloned {n} times as separate documents with suffixed ids, generated by the bench "
        f"and seeded with the real loader ({p['big_counts']}; {p['big_how']})."
        if scale
        else f"- Small data: the real seed ({p['small_counts']}). Scale run skipped.",
    ]
    L += ["", "## Scenarios", ""]
    rows = []
    for s in SCENARIOS:
        ds = s.datasette_target("small", "")
        shown = "n/a" if ds is None else f"`{ds}`" if "sql=" not in ds else "`/small.json?sql=…`"
        note = f" ({s.datasette_note})" if s.datasette_note else ""
        rows.append([s.key, s.title, f"`{s.ours_target('')}`", shown + note])
    L += _table(["key", "scenario", "ours", "Datasette equivalent"], rows)
    L.append("")
    L.append(
        f"On the {n}× data the one-metric id carries a clone suffix; the `revalidate` scenario "
        "sends `If-None-Match` with the ETag that server returned for `all` (expects 304). "
        "Where the small data's search scenarios say 株洲 or Zhuzhou, the scaled data's say the "
        "middle clone's city (bench/synth.py). Datasette's search query, with `p` = `%query%`:"
    )
    L += ["", "```sql", SEARCH_SQL, "```"]

    L += ["", "## 1. Repeated requests: ours (cache on) vs bare ASGI, same bytes", ""]
    rows = []
    for s in SCENARIOS:
        a, b = run.cell("ours-cached", s.key), run.cell("bare", s.key)
        rows.append([s.key, *_triple(a), *_triple(b), _ratio(a, b)])
    L += _table(
        ["scenario", "ours req/s", "p50", "p99", "bare req/s", "p50", "p99", "ours/bare"], rows
    )

    L += ["", "## 2. First requests: ours (cache off) vs Datasette", ""]
    rows = []
    for s in SCENARIOS:
        a, b = run.cell("ours-uncached", s.key), run.cell("datasette", s.key)
        rows.append([s.key, *_triple(a), *_triple(b), _ratio(a, b)])
    L += _table(
        ["scenario", "ours req/s", "p50", "p99", "Datasette req/s", "p50", "p99", "ours/Datasette"],
        rows,
    )

    if scale:
        L += ["", f"## 3. Scale: small vs {n}× data, cache off", ""]
        rows = []
        for s in SCENARIOS:
            a, b = run.cell("ours-uncached", s.key), run.cell("ours-uncached-big", s.key)
            d = run.cell("datasette-big", s.key)
            rows.append(
                [
                    s.key + (" (target 3)" if s.paged else ""),
                    _rps(a),
                    *_triple(b),
                    _ratio(b, a),
                    *_triple(d),
                    _ratio(b, d),
                ]
            )
        L += _table(
            [
                "scenario",
                "small req/s",
                f"x{n} req/s",
                "p50",
                "p99",
                f"x{n}/small",
                f"Datasette x{n} req/s",
                "p50",
                "p99",
                f"ours/Datasette x{n}",
            ],
            rows,
        )

    L += ["", "## Memory after the run (VmRSS)", ""]
    L += _table(
        ["server", "MB"],
        [[k, "exited" if v is None else f"{v:.1f}"] for k, v in run.rss_mb.items()],
    )

    L += ["", "## Targets", ""]
    for v in verdicts(run, scale):
        status = "PASS" if v.ok else "FAIL"
        line = f"- **{status}** {v.name}: asks {v.asks}; measured {v.measured}."
        if v.short:
            line += f" Short by: {v.short}."
        L.append(line)

    analysis = Path(__file__).with_name("analysis.md")
    if analysis.exists():
        L += ["", analysis.read_text(encoding="utf-8").strip()]

    L += ["", "## Responses checked before timing", ""]
    L += _table(
        ["server", "scenario", "status", "bytes", "body"],
        [[srv, key, str(st), f"{n:,}", rows_] for srv, key, _t, st, n, rows_ in run.responses],
    )

    L += ["", "## Every round (req/s, min–max over rounds)", ""]
    servers_ = sorted({srv for srv, _ in run.results}, key=_server_order)
    rows = []
    for s in SCENARIOS:
        row = [s.key]
        for srv in servers_:
            c = run.cell(srv, s.key)
            row.append(c.spread if c else "n/a")
        rows.append(row)
    L += _table(["scenario", *servers_], rows)

    noisy = [
        f"- {srv} / {key}: round {i + 1}: other work used {r.foreign_cpu_pct:.0f}% of a core"
        for (srv, key), runs in run.results.items()
        for i, r in enumerate(runs)
        if r.foreign_cpu_pct > NOISY_PCT
    ]
    errors = [
        f"- {srv} / {key}: round {i + 1}: {r.socket_errors} socket errors, "
        f"{r.non_2xx_3xx} non-2xx/3xx, statuses {r.statuses} (expected {scen[key].expect})"
        for (srv, key), runs in run.results.items()
        for i, r in enumerate(runs)
        if r.errors
    ]
    if errors or run.notes or noisy:
        L += ["", "## Errors and notes", ""]
        L += errors
        L += [f"- {n}" for n in run.notes]
        L += noisy
    return "\n".join(L) + "\n"


def _foreign_summary(run: Run) -> str:
    pcts = sorted(r.foreign_cpu_pct for runs in run.results.values() for r in runs)
    if not pcts:
        return "not measured"
    return (
        f"median {statistics.median(pcts):.1f}%, max {pcts[-1]:.0f}% of one core over the "
        f"timed runs, {sum(p > NOISY_PCT for p in pcts)} of {len(pcts)} runs over {NOISY_PCT:g}%"
    )


SERVER_ORDER = [
    "ours-cached",
    "bare",
    "ours-uncached",
    "datasette",
    "ours-uncached-big",
    "datasette-big",
]


def _server_order(name: str) -> int:
    return SERVER_ORDER.index(name) if name in SERVER_ORDER else len(SERVER_ORDER)


def applies(server: str, s: Scenario) -> bool:
    """Datasette has no conditional requests: it skips the revalidation scenario."""
    return not (server.startswith("datasette") and s.datasette is None)
