"""The benchmark: seed, start our server, Datasette, a bare ASGI app, nginx in front and nginx
from files, and our server on PostgreSQL; drive each with wrk in interleaved rounds; show a reseed
through the cache; write the report. Run it through bench/run."""

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path

import cpu
import data
import figures
import fleet
import postgres
import proxy
import report
import reseed
import servers
import synth
import wrk
from fleet import Member, log
from scenarios import SCENARIOS

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
COPIES = 1000  # the scale factor; --copies changes it for trials
# wrk leaves a response slower than its --timeout out of the latency figures (it counts it as
# a timeout error instead): generous, so slow cells of the scaled data keep honest percentiles.
WRK_TIMEOUT_S = 30.0
PG_SCRIPT = REPO.parent / "shared" / "scripts" / "pg-throwaway.sh"
PG_PORT = 25533  # below Linux's ephemeral ports, so no client connection holds it
RESEED_PATH = "/v1/metrics?limit=500"  # what the reseed demonstration watches through nginx


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="rounds on the small data (default 3)")
    p.add_argument(
        "--scale-rounds", type=int, default=2, help="rounds on the scaled data (default 2)"
    )
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: 1 s, 1 round, 1 reseed; writes bench/.work/results-quick.md",
    )
    p.add_argument("--no-scale", action="store_true", help="skip the scaled data set")
    p.add_argument("--no-proxy", action="store_true", help="skip nginx (target 4)")
    p.add_argument("--no-postgres", action="store_true", help="skip PostgreSQL (target 5)")
    p.add_argument(
        "--copies",
        type=int,
        default=COPIES,
        help=f"clones of the seed document in the scaled data (default {COPIES})",
    )
    p.add_argument(
        "--reseed", action="store_true", help="rebuild the scaled database even if up to date"
    )
    p.add_argument(
        "--max-age",
        type=int,
        default=5,
        help="CACHE_MAX_AGE (s) of the server behind nginx in the reseed demonstration (default 5)",
    )
    p.add_argument(
        "--reseeds", type=int, default=3, help="reseeds in that demonstration (default 3)"
    )
    p.add_argument(
        "--pg-port", type=int, default=PG_PORT, help=f"port of the throwaway PostgreSQL ({PG_PORT})"
    )
    p.add_argument(
        "--pg-dir",
        type=Path,
        default=Path(tempfile.gettempdir()) / f"zhuzhou-facts-bench-pg-{os.getuid()}",
        help="state directory of the throwaway PostgreSQL (created and deleted by the run)",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        help="where to write the report (default bench/results.md; with --quick "
        "bench/.work/results-quick.md); the raw figures go to bench/.work/<its stem>.json",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.scale_rounds, args.reseeds = 1.0, 1, 1, 1
    if args.output is None:
        args.output = WORK / "results-quick.md" if args.quick else BENCH / "results.md"
    args.scale_rounds = min(args.scale_rounds, args.rounds)
    if args.duration <= 0 or args.rounds < 1 or args.connections < 1 or args.copies < 1:
        p.error("duration, rounds, connections and copies must be positive")
    if args.max_age < 1 or args.reseeds < 1:
        p.error("max-age and reseeds must be positive")
    return args


# --- the optional parts ----------------------------------------------------------------


def start_postgres(args: argparse.Namespace, pin: str | None) -> tuple[postgres.Cluster, str]:
    """The throwaway cluster, seeded with the real seed as its owner, served as the reader."""
    cluster = postgres.start(PG_SCRIPT, args.pg_dir, args.pg_port, pin)
    log(f"PostgreSQL on 127.0.0.1:{cluster.port} (state in {args.pg_dir})")
    flags = ("--reader-role", postgres.READER)
    counts = data.seed_url(cluster.owner_url, "postgresql", REPO / "seed", *flags)
    return cluster, data.fmt_counts(counts)


def reseed_through_cache(args: argparse.Namespace, pin: str | None) -> reseed.Reseeds:
    """Our server (CACHE_MAX_AGE=--max-age) behind deploy/'s nginx, its SQLite file reseeded in
    turn with one synthetic clone of the document and with the real seed."""
    db = WORK / "reseed.sqlite3"
    other = WORK / "seed-x1"
    synth.generate(REPO / "seed", other, 1)
    data.seed(db, REPO / "seed")
    app = fleet.ours("reseed-app", f"sqlite:///{db}", cache=True, CACHE_MAX_AGE=str(args.max_age))
    app.start(pin, WORK / "logs")
    app.wait_ready()
    front = proxy.in_front("reseed-nginx", WORK / "nginx" / "reseed", app.port)
    front.start(pin, WORK / "logs")
    front.wait_ready()
    choices: list[tuple[str, Callable[[], object]]] = [
        ("one synthetic clone (bench/synth.py)", lambda: data.seed(db, other)),
        ("the real seed", lambda: data.seed(db, REPO / "seed")),
    ]
    turns = [choices[i % 2] for i in range(args.reseeds)]
    log(f"reseeding {args.reseeds}× behind nginx, max-age {args.max_age} s, watching {RESEED_PATH}")
    out = reseed.demonstrate(front.port, app.port, db, RESEED_PATH, turns, args.max_age)
    for c in out.cycles:
        delay = "not seen" if c.delay_s is None else f"{c.delay_s:.2f} s"
        log(f"  {c.dataset}: new version through nginx after {delay}")
    return out


# --- timing --------------------------------------------------------------------------


def time_rounds(
    members: dict[str, Member], args: argparse.Namespace, pin: str | None
) -> dict[tuple[str, str], list[wrk.WrkResult]]:
    """Round r: every scenario, on every server in turn (scaled ones for scale_rounds only)."""
    lua = WORK / "status.lua"
    lua.write_text(wrk.STATUS_LUA)
    cells = sum(
        len(m.targets) * (args.scale_rounds if m.scaled else args.rounds) for m in members.values()
    )
    log(f"timing {cells} wrk runs of {args.duration:g}s ({cells * args.duration / 60:.1f} min)")
    results: dict[tuple[str, str], list[wrk.WrkResult]] = {}
    for rnd in range(args.rounds):
        for s in SCENARIOS:
            for m in members.values():
                t = m.targets.get(s.key)
                if t is None or (m.scaled and rnd >= args.scale_rounds):
                    continue
                if not m.server.alive():
                    raise RuntimeError(f"{m.role} died: {m.server.tail()}")
                r = wrk.run(
                    m.server.base + t.path,
                    duration=args.duration,
                    connections=args.connections,
                    headers=t.headers,
                    expect_status=t.expect,
                    pin=pin,
                    lua=lua,
                    timeout_s=WRK_TIMEOUT_S,
                    server_pids=m.server.pids(),
                )
                results.setdefault((m.role, s.key), []).append(r)
                waited = cpu.wait_idle(m.server.pids())  # its backlog must not hit the next run
                if waited > 1:
                    log(f"  {m.role} worked {waited:.0f}s more on requests queued before wrk ended")
                flag = f"  ⚠ {r.errors} errors {r.statuses}" if r.errors else ""
                if r.foreign_cpu_pct > figures.NOISY_PCT:
                    flag += f"  (other work used {r.foreign_cpu_pct:.0f}% of a core)"
                if r.client_cpu_pct > figures.CLIENT_BOUND_PCT:
                    flag += f"  (wrk used {r.client_cpu_pct:.0f}% of its core)"
                n = sum(len(v) for v in results.values())
                log(
                    f"[{n}/{cells}] round {rnd + 1} {s.key:10} {m.role:18} {r.rps:9,.0f} req/s"
                    f"  p50 {r.p50_ms:7.2f} ms  p99 {r.p99_ms:7.2f} ms{flag}"
                )
    return results


# --- the run -------------------------------------------------------------------------


def loadavg() -> str:
    """The 1-minute load average: other work on the machine shows here."""
    return Path("/proc/loadavg").read_text().split()[0]


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        print("error: wrk not found; on Debian: apt-get install wrk", file=sys.stderr)
        return 2
    servers.install_cleanup()
    started = dt.datetime.now(dt.UTC)
    t0 = time.monotonic()
    (WORK / "logs").mkdir(parents=True, exist_ok=True)
    scale = not args.no_scale

    small_db = WORK / "small.sqlite3"
    small_counts = data.seed(small_db, REPO / "seed")
    big_db, big_counts, big_how = (
        data.scale_database(args.copies, args.reseed) if scale else (None, {}, "")
    )
    big_sfx = synth.clone_suffix((args.copies + 1) // 2)  # one-by-id asks for a middle clone

    pinned = servers.taskset_works()
    server_cpu, wrk_cpu = ("0", "1") if pinned else (None, None)
    log("servers on CPU 0, wrk on CPU 1" if pinned else "taskset unusable or 1 CPU: no pinning")
    skipped: dict[str, str] = {}
    if args.no_proxy:
        skipped["proxy"] = "skipped (--no-proxy)"
    elif not proxy.available():
        skipped["proxy"] = f"skipped: no {proxy.NGINX} (Debian: apt-get install nginx-light)"
    if args.no_postgres:
        skipped["postgres"] = "skipped (--no-postgres)"
    elif why := postgres.missing(PG_SCRIPT):
        skipped["postgres"] = f"skipped: {why}"
    for part, why in skipped.items():
        log(f"{part}: {why}")
    plan = fleet.Plan(small_db)
    if scale:
        plan.big_db, plan.big_sfx = big_db, big_sfx
    if "proxy" not in skipped:
        plan.proxy_dir = WORK / "nginx"
    pg_counts, reseeds = "", None
    try:
        if "postgres" not in skipped:
            cluster, pg_counts = start_postgres(args, server_cpu)
            plan.pg_url, plan.pg_postmaster = cluster.reader_url, cluster.postmaster
        members = fleet.start(plan, server_cpu)
        responses, totals, notes = fleet.check(members)
        load_before = loadavg()
        results = time_rounds(members, args, wrk_cpu)
        load_after = loadavg()
        rss = {role: m.server.rss_mb() for role, m in members.items()}
        if "proxy" not in skipped:
            reseeds = reseed_through_cache(args, server_cpu)
    finally:
        servers.stop_all()

    run = figures.Run(
        started=started,
        elapsed_s=time.monotonic() - t0,
        params={
            "argv": shlex.join(argv),
            "duration": f"{args.duration:g}",
            "rounds": str(args.rounds),
            "scale_rounds": str(args.scale_rounds),
            "connections": str(args.connections),
            "server_cpu": server_cpu or "none",
            "wrk_cpu": wrk_cpu or "none",
            "uvicorn_flags": " ".join(servers.uvicorn_flags()),
            "small_counts": data.fmt_counts(small_counts),
            "copies": str(args.copies),
            "big_counts": data.fmt_counts(big_counts),
            "big_how": big_how,
            "pg_counts": pg_counts,
            "load": f"{load_before} before timing, {load_after} after",
        },
        results=results,
        rss_mb=rss,
        responses=responses,
        totals=totals,
        notes=notes,
        skipped=skipped,
        reseeds=reseeds,
    )
    text = report.markdown(run, report.machine(), report.versions(REPO), scale)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, "utf-8")
    raw = {
        "runs": {f"{role} {key}": [r.__dict__ for r in v] for (role, key), v in results.items()},
        "rss_mb": rss,
        "reseeds": asdict(reseeds) if reseeds else None,
    }
    raw_file = WORK / f"{args.output.stem}.json"
    raw_file.write_text(json.dumps(raw, indent=1))
    print()
    print(text)
    log(f"wrote {args.output} and {raw_file} in {run.elapsed_s / 60:.1f} min")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except KeyboardInterrupt:
        servers.stop_all()
        print("\ninterrupted: stopped every process this run started", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # report any failure plainly, after cleanup
        servers.stop_all()
        print(f"\nerror: {exc}", file=sys.stderr)
        sys.exit(1)
