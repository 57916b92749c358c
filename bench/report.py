"""Machine facts, versions, the tables, the target verdicts and the analysis, as Markdown."""

import importlib.metadata
import os
import platform
import sqlite3
import statistics
import subprocess
from pathlib import Path

from figures import CLIENT_BOUND_PCT, NOISY_PCT, Cell, Run
from proxy import NGINX
from reseed import Reseeds
from scenarios import SCENARIOS, SEARCH_SQL
from targets import SELECTIVE, verdicts

PACKAGES = (
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "sqlalchemy",
    "sqlmodel",
    "pydantic",
    "psycopg",
    "datasette",
)


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
    out["nginx"] = _version([NGINX, "-v"], "nginx version: nginx/")
    postgres = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"))
    out["postgresql"] = (
        _version([str(postgres[-1]), "--version"], "postgres (PostgreSQL) ")
        if postgres
        else "not installed"
    )
    out["commit"] = _git(repo)
    return out


def _version(cmd: list[str], prefix: str) -> str:
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return "not installed"
    return (done.stdout + done.stderr).strip().removeprefix(prefix) or "unknown"


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


def _cpu(x: Cell | None, y: Cell | None) -> str:
    """Server CPU per request of x and y (µs), and x's share of y's req/s it implies."""
    if x is None or y is None or not (x.cpu_us and y.cpu_us):
        return "n/a"
    return f"{x.cpu_us:.1f} / {y.cpu_us:.1f} ({y.cpu_us / x.cpu_us:.2f})"


def _pair(run: Run, a: str, b: str, head: list[str], cpu: bool = False) -> list[str]:
    """A table of a against b on every scenario: req/s, p50, p99 each, and a/b; with cpu, the
    servers' CPU per request too."""
    rows = []
    for s in SCENARIOS:
        x, y = run.cell(a, s.key), run.cell(b, s.key)
        rows.append([s.key, *_triple(x), *_triple(y), _ratio(x, y)] + ([_cpu(x, y)] if cpu else []))
    return _table(head + (["CPU µs/req (b/a)"] if cpu else []), rows)


CPU_NOTE = (
    "CPU µs/req: the CPU time the server used (its own processes only) per request it "
    "answered, medians of the rounds, and in brackets the ratio it implies for the req/s of a "
    "server that only has its core (b's µs / a's µs). Other work on the machine takes the core "
    "from the server, not the CPU a request needs, so this ratio holds steadier than req/s on "
    "a busy machine; it is not what the target judges."
)


# --- sections ------------------------------------------------------------------------


def _method(run: Run, scale: bool) -> list[str]:
    p = run.params
    n = p["copies"]
    pinned = p["server_cpu"] != "none"
    return [
        f"- Servers: uvicorn `{p['uvicorn_flags']}` for all the Python ones, nginx with one "
        "worker, on 127.0.0.1, "
        + (f"pinned to CPU {p['server_cpu']}" if pinned else "not pinned")
        + "; wrk "
        + (f"pinned to CPU {p['wrk_cpu']}" if p["wrk_cpu"] != "none" else "not pinned")
        + ".",
        f"- Load: `wrk -t1 -c{p['connections']} -d{p['duration']}s --latency` per cell, "
        f"{p['rounds']} interleaved rounds on the small data"
        + (f", {p['scale_rounds']} for the servers of the {n}× data" if scale else "")
        + " (each round runs every scenario on every server in turn). Figures are medians of "
        "the rounds; ratios are ratios of the medians. Latency in ms.",
        f"- Other work on the machine: {_foreign_summary(run)} (per timed run: CPU time of the "
        "whole machine from `/proc/stat` minus that of the server under test (with nginx's "
        "workers, PostgreSQL's backends), wrk and the bench; runs over "
        f"{NOISY_PCT:g}% are listed at the end). 1-minute load average {p['load']}.",
        "- A Lua script counts every response's status; a cell is flagged `⚠N err` when any "
        "round saw socket errors, non-2xx/3xx answers, or a status other than the expected one.",
        "- `ours-cached`: our server, response cache on (default `RESPONSE_CACHE_SIZE`). "
        "`ours-uncached`: `RESPONSE_CACHE_SIZE=0`. All of ours `AUTO_SEED=false`.",
        "- `bare`: a bare ASGI app (`bench/bare_asgi.py`) replaying the exact status, headers "
        "and body that `ours-cached` sent for the same request (checked byte for byte before "
        "timing).",
        "- `datasette`: Datasette (`bench/datasette_app.py`) serving the same SQLite file "
        "immutable; default settings but `suggest_facets` off (it would add a facet query per "
        "column to every table request, work our API does not do) and `sql_time_limit_ms` "
        "30000 (so that slow queries on the scaled data answer instead of failing with 400).",
        "- `nginx-cache`: nginx with `deploy/nginx/zhuzhou-facts.conf.template` (placeholders "
        "filled by the tests' own renderer) in front of `ours-cached`; every timed request is "
        "a hit of its cache. `nginx-file`: nginx serving, from files, the bytes `nginx-cache` "
        "answered, with the same Content-Type and headers (checked byte for byte); its "
        "revalidation sends nginx's own ETag of the file. Both: one worker, no access log, "
        "`sendfile` and `tcp_nopush` on as in Debian's stock `nginx.conf`. "
        + run.skipped.get("proxy", ""),
        "- `ours-uncached-pg`: our server, cache off, on PostgreSQL from "
        "`../shared/scripts/pg-throwaway.sh` on the same machine (the postmaster and its "
        "backends pinned with the servers, so one core runs both), seeded with "
        "`zhuzhou-facts seed --reader-role` and served as that read-only role"
        + (f" ({p['pg_counts']})." if p.get("pg_counts") else ". ")
        + run.skipped.get("postgres", ""),
        f"- Small data: the real seed ({p['small_counts']}). {n}× data: the real document "
        f"cloned {n} times as separate documents with suffixed ids, each about a city of its "
        f"own, generated by the bench and seeded with the real loader ({p['big_counts']}; "
        f"{p['big_how']})."
        if scale
        else f"- Small data: the real seed ({p['small_counts']}). Scale run skipped.",
    ]


def _scenarios(n: str) -> list[str]:
    rows = []
    for s in SCENARIOS:
        ds = s.datasette_target("small", "")
        shown = "n/a" if ds is None else f"`{ds}`" if "sql=" not in ds else "`/small.json?sql=…`"
        note = f" ({s.datasette_note})" if s.datasette_note else ""
        rows.append([s.key, s.title, f"`{s.ours_target('')}`", shown + note])
    lines = _table(["key", "scenario", "ours", "Datasette equivalent"], rows)
    lines += [
        "",
        f"On the {n}× data the one-metric id carries a clone suffix; the `revalidate` scenario "
        "sends `If-None-Match` with the ETag that server returned for `all` (expects 304). "
        "Where the small data's search scenarios say 株洲 or Zhuzhou, the scaled data's say the "
        "middle clone's city (bench/synth.py). Datasette's search query, with `p` = `%query%`:",
        "",
        "```sql",
        SEARCH_SQL,
        "```",
    ]
    return lines


def _scale(run: Run, n: str) -> list[str]:
    rows = []
    for s in SCENARIOS:
        a, b = run.cell("ours-uncached", s.key), run.cell("ours-uncached-big", s.key)
        d = run.cell("datasette-big", s.key)
        mark = " (target 1)" if s.key in SELECTIVE else ""
        rows.append([s.key + mark, _rps(a), *_triple(b), _ratio(b, a), *_triple(d), _ratio(b, d)])
    lines = _table(
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
    return [*lines, "", _broad(run, n)]


def _broad(run: Run, n: str) -> str:
    """search-broad's cost against its matches (not a target ratio)."""
    small, big = (
        run.totals.get(("ours-uncached", "search-broad")),
        run.totals.get(("ours-uncached-big", "search-broad")),
    )
    a, b = run.cell("ours-uncached", "search-broad"), run.cell("ours-uncached-big", "search-broad")
    if not (small and big and a and b and a.rps and b.rps):
        return "`search-broad`: not measured on both data sets."
    cost = a.rps / b.rps
    return (
        f"`search-broad` (not a target ratio) matches {small:,} records on the small data and "
        f"{big:,} on the {n}× data ({big / small:,.0f}×); a request costs {cost:,.1f}× as much "
        f"({1000 / a.rps:.2f} → {1000 / b.rps:.2f} ms of the server's time at this "
        f"concurrency, {1e6 / b.rps / big:.1f} µs per match). Its matches come from the search "
        "index (SQLite FTS5 trigram or bigram table, `app/store/search.py`) and are ranked, "
        "counted and paged in SQL: the cost follows the matches it reads and ranks, never a "
        "scan of every record (the selective searches on the same data keep their rate)."
    )


def _proxy(run: Run) -> list[str]:
    if "proxy" in run.skipped:
        return [run.skipped["proxy"].capitalize() + "."]
    rows = []
    for s in SCENARIOS:
        a, b = run.cell("nginx-cache", s.key), run.cell("nginx-file", s.key)
        client = max((c.client_pct for c in (a, b) if c), default=0.0)
        rows.append([s.key, *_triple(a), *_triple(b), _ratio(a, b), _cpu(a, b), f"{client:.0f}%"])
    head = ["scenario", "cache req/s", "p50", "p99", "file req/s", "p50", "p99", "cache/file"]
    lines = _table([*head, "CPU µs/req (b/a)", "wrk"], rows)
    lines += [
        "",
        CPU_NOTE + " nginx's is its worker's.",
        "",
        f"`wrk`: the CPU wrk used on its core (the higher of the two cells, medians); over "
        f"{CLIENT_BOUND_PCT:g}% the client paces the run, and the ratio says less about nginx.",
    ]
    if run.reseeds is not None:
        lines += ["", *_reseeds(run.reseeds)]
    return lines


def _reseeds(r: Reseeds) -> list[str]:
    lines = [
        f"**A reseed through the cache.** A second `ours-cached` with `CACHE_MAX_AGE={r.max_age}` "
        "behind a second nginx with the same configuration; `{path}` is asked every 20 ms "
        "through nginx and directly while its SQLite file is reseeded (`zhuzhou-facts seed`, "
        "an atomic rename) with another dataset. Seconds from the rename (seen as the file's "
        "inode changing):".replace("{path}", r.path),
        "",
    ]
    rows = [
        [
            str(i + 1),
            c.dataset,
            f"{c.seed_s:.1f}",
            "n/a" if c.age_s is None else f"{c.age_s:.2f}",
            "n/a" if c.direct_s is None else f"{c.direct_s:.2f}",
            "not seen" if c.delay_s is None else f"{c.delay_s:.2f}",
            str(c.flips),
        ]
        for i, c in enumerate(r.cycles)
    ]
    lines += _table(
        [
            "reseed",
            "new dataset",
            "seed command (s)",
            "age of nginx's entry at the rename",
            "new ETag directly",
            "new ETag through nginx",
            "old after new",
        ],
        rows,
    )
    return lines


def _postgres(run: Run) -> list[str]:
    if "postgres" in run.skipped:
        return [run.skipped["postgres"].capitalize() + "."]
    return _pair(
        run,
        "ours-uncached-pg",
        "ours-uncached",
        ["scenario", "PostgreSQL req/s", "p50", "p99", "SQLite req/s", "p50", "p99", "PG/SQLite"],
    )


def _memory(run: Run) -> list[str]:
    rows = [[k, "exited" if v is None else f"{v:.1f}"] for k, v in run.rss_mb.items()]
    return [
        *_table(["server", "MB"], rows),
        "",
        "VmRSS of the server process (nginx: the master; `ours-uncached-pg`: the Python "
        "server, not PostgreSQL). Target 6 on the scaled data reads `ours-uncached-big`: the "
        "one server that reads the 1000× database under load (with the cache on, a repeat "
        "would not read it; the cache's own share is bounded by `RESPONSE_CACHE_SIZE` and "
        "measured by `ours-cached`).",
    ]


# --- the document --------------------------------------------------------------------


def markdown(run: Run, mach: dict[str, str], vers: dict[str, str], scale: bool) -> str:
    """bench/results.md."""
    p = run.params
    n = p["copies"]
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
    L += ["", f"Code under test: commit {vers['commit']}."]
    L += ["", "## Method", "", *_method(run, scale)]
    L += ["", "## Scenarios", "", *_scenarios(n)]
    if scale:
        L += ["", f"## 1. Search and scale: small vs {n}× data, cache off", "", *_scale(run, n)]
    L += ["", "## 2. First requests: ours (cache off) vs Datasette", ""]
    L += _pair(
        run,
        "ours-uncached",
        "datasette",
        ["scenario", "ours req/s", "p50", "p99", "Datasette req/s", "p50", "p99", "ours/Datasette"],
    )
    L += ["", "## 3. Repeats: ours (cache on) vs bare ASGI, same bytes", ""]
    L += _pair(
        run,
        "ours-cached",
        "bare",
        ["scenario", "ours req/s", "p50", "p99", "bare req/s", "p50", "p99", "ours/bare"],
        cpu=True,
    )
    L += ["", CPU_NOTE]
    L += ["", "## 4. A cache in front: deploy/'s nginx vs nginx from files, same bytes", ""]
    L += _proxy(run)
    L += ["", "## 5. PostgreSQL vs SQLite: first requests (cache off), same machine", ""]
    L += _postgres(run)
    L += ["", "## 6. Memory after the run (VmRSS)", "", *_memory(run)]

    L += ["", "## Targets", ""]
    for v in verdicts(run, scale):
        got = v.measured if v.status == "SKIPPED" else f"measured {v.measured}"
        line = f"- **{v.status}** {v.name}: asks {v.asks}; {got}."
        if v.short:
            line += f" Short by: {v.short}."
        L.append(line)

    analysis = Path(__file__).with_name("analysis.md")
    if analysis.exists():
        L += ["", analysis.read_text(encoding="utf-8").strip()]

    L += ["", "## Responses checked before timing", ""]
    L += _table(
        ["server", "scenario", "status", "bytes", "body"],
        [[srv, key, str(st), f"{b:,}", rows_] for srv, key, _t, st, b, rows_ in run.responses],
    )
    L += ["", *_rounds(run), *_notes(run)]
    return "\n".join(L) + "\n"


def _rounds(run: Run) -> list[str]:
    servers_ = list(dict.fromkeys(srv for srv, _ in run.results))
    rows = []
    for s in SCENARIOS:
        row = [s.key]
        for srv in servers_:
            c = run.cell(srv, s.key)
            row.append(c.spread if c else "n/a")
        rows.append(row)
    title = "## Every round (req/s, min–max over rounds)"
    return [title, "", *_table(["scenario", *servers_], rows)]


def _notes(run: Run) -> list[str]:
    expect = {s.key: s.expect for s in SCENARIOS}
    noisy = [
        f"- {srv} / {key}: round {i + 1}: other work used {r.foreign_cpu_pct:.0f}% of a core"
        for (srv, key), runs in run.results.items()
        for i, r in enumerate(runs)
        if r.foreign_cpu_pct > NOISY_PCT
    ]
    errors = [
        f"- {srv} / {key}: round {i + 1}: {r.socket_errors} socket errors, "
        f"{r.non_2xx_3xx} non-2xx/3xx, statuses {r.statuses} (expected {expect[key]})"
        for (srv, key), runs in run.results.items()
        for i, r in enumerate(runs)
        if r.errors
    ]
    if not (errors or run.notes or noisy):
        return []
    return ["", "## Errors and notes", "", *errors, *[f"- {n}" for n in run.notes], *noisy]


def _foreign_summary(run: Run) -> str:
    pcts = sorted(r.foreign_cpu_pct for runs in run.results.values() for r in runs)
    if not pcts:
        return "not measured"
    return (
        f"median {statistics.median(pcts):.1f}%, max {pcts[-1]:.0f}% of one core over the "
        f"timed runs, {sum(p > NOISY_PCT for p in pcts)} of {len(pcts)} runs over {NOISY_PCT:g}%"
    )
