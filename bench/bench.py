"""The benchmark: seed, start our server, Datasette and a bare ASGI app, drive each with wrk in
interleaved rounds, and write bench/results.md. Run it through bench/run."""

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import cpu
import report
import servers
import synth
import wrk
from scenarios import SCENARIOS, Fetched, count_rows, fetch

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
WORK = BENCH / ".work"
COPIES = 1000  # the scale factor; --copies changes it for trials
OUR_SETTINGS = {"DATABASE_URL", "AUTO_SEED", "CACHE_MAX_AGE", "RESPONSE_CACHE_SIZE", "SEED_DIR"}
HOP_BY_HOP = {"date", "server"}  # uvicorn adds these itself
# wrk leaves a response slower than its --timeout out of the latency figures (it counts it as
# a timeout error instead): generous, so slow cells of the scaled data keep honest percentiles.
WRK_TIMEOUT_S = 30.0


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="bench/run", description=__doc__)
    p.add_argument("--duration", type=float, default=5, help="seconds per wrk run (default 5)")
    p.add_argument("--rounds", type=int, default=3, help="rounds on the small data (default 3)")
    p.add_argument(
        "--scale-rounds", type=int, default=2, help="rounds on the scaled data (default 2)"
    )
    p.add_argument("--connections", type=int, default=32, help="wrk connections (default 32)")
    p.add_argument("--quick", action="store_true", help="smoke run: 1 s, 1 round")
    p.add_argument("--no-scale", action="store_true", help="skip the scaled data set")
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
        "--output",
        type=Path,
        default=BENCH / "results.md",
        help="where to write the report (default bench/results.md)",
    )
    args = p.parse_args(argv)
    if args.quick:
        args.duration, args.rounds, args.scale_rounds = 1.0, 1, 1
    args.scale_rounds = min(args.scale_rounds, args.rounds)
    if args.duration <= 0 or args.rounds < 1 or args.connections < 1 or args.copies < 1:
        p.error("duration, rounds, connections and copies must be positive")
    return args


# --- data ----------------------------------------------------------------------------


def seed(db: Path, seed_dir: Path) -> dict[str, int]:
    """Build db from seed_dir with the project's own `zhuzhou-facts seed`; return row counts."""
    exe = Path(sys.executable).with_name("zhuzhou-facts")
    cmd = [str(exe), "seed", "--database-url", f"sqlite:///{db}", "--seed-dir", str(seed_dir)]
    out_file = WORK / "logs" / f"seed-{db.stem}.log"
    t0 = time.monotonic()
    with out_file.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=REPO,
            env=server_env(),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        servers.STARTED.append(proc)
        while True:
            try:
                proc.wait(timeout=60)
                break
            except subprocess.TimeoutExpired:
                mins = (time.monotonic() - t0) / 60
                log(f"  still seeding {db.name}: {mins:.0f} min, {peak_rss_gb(proc.pid)} GB peak")
        servers.STARTED.remove(proc)
    text = out_file.read_text("utf-8", "replace")
    if proc.returncode != 0:
        how = (
            f"killed by {signal.Signals(-proc.returncode).name}"
            if proc.returncode < 0
            else f"exit status {proc.returncode}"
        )
        raise RuntimeError(f"seeding {db.name} failed ({how}):\n{text[-3000:]}")
    counts = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[1].isdigit():
            counts[parts[0]] = int(parts[1])
    log(f"seeded {db.name} in {time.monotonic() - t0:.1f}s: {fmt_counts(counts)}")
    return counts


def peak_rss_gb(pid: int) -> str:
    """VmHWM of a running process, in GB, or '?' when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return f"{int(line.split()[1]) / 1e6:.1f}"
    except OSError:
        pass
    return "?"


def fmt_counts(counts: dict[str, int]) -> str:
    keys = ("metric", "event", "entity", "industry_chain", "document")
    return ", ".join(f"{counts.get(k, 0):,} {k}" for k in keys)


def fingerprint(copies: int) -> str:
    """Changes when anything that shapes the database changes: the seed, the loader, the models,
    the migrations, the generator."""
    h = hashlib.sha256(str(copies).encode())
    files = [BENCH / "synth.py", REPO / "pyproject.toml"]
    files += [REPO / "app" / name for name in ("models.py", "vocabulary.py", "tabular.py")]
    for top in ("seed", "app/dataset", "app/store", "migrations"):
        files += sorted(
            p for p in (REPO / top).rglob("*") if p.is_file() and "__pycache__" not in p.parts
        )
    for f in files:
        h.update(str(f.relative_to(REPO)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def scale_database(copies: int, reseed: bool) -> tuple[Path, dict[str, int], str]:
    """The scaled database: reused when its fingerprint matches, else generated and seeded.
    Also says how it was had (the seed time, or that it was reused)."""
    db = WORK / f"x{copies}.sqlite3"
    stamp = WORK / f"x{copies}.fingerprint.json"
    fp = fingerprint(copies)
    if db.exists() and stamp.exists() and not reseed:
        saved = json.loads(stamp.read_text())
        if saved.get("fingerprint") == fp:
            log(f"reusing {db.name}: nothing that shapes it changed since it was built")
            return db, dict(saved["counts"]), f"reused; {saved.get('how', 'built earlier')}"
    seed_dir = WORK / f"seed-x{copies}"
    t0 = time.monotonic()
    synth.generate(REPO / "seed", seed_dir, copies)
    log(f"generated {copies} document clones in {seed_dir} in {time.monotonic() - t0:.1f}s")
    log(f"seeding {db.name} with the real loader (this takes minutes)...")
    stamp.unlink(missing_ok=True)
    t0 = time.monotonic()
    counts = seed(db, seed_dir)
    how = f"seeded in {(time.monotonic() - t0) / 60:.1f} min on {time.strftime('%Y-%m-%d')}"
    stamp.write_text(json.dumps({"fingerprint": fp, "counts": counts, "how": how}))
    return db, counts, how


# --- servers and what each is asked --------------------------------------------------


@dataclass
class Target:
    """What one server is asked for one scenario: the request target, headers and status."""

    path: str
    headers: dict[str, str]
    expect: int


@dataclass
class Member:
    """One server of the fleet, the dataset it serves, and its request per scenario."""

    role: str
    server: servers.Server
    sfx: str = ""  # clone suffix of ids on the scaled data
    db: str = "small"  # Datasette's name for the database (the file stem)
    targets: dict[str, Target] = field(default_factory=dict)

    @property
    def scaled(self) -> bool:
        return self.role.endswith("-big")


def server_env(**extra: str) -> dict[str, str]:
    """The environment minus any setting of ours inherited from the shell."""
    env = {k: v for k, v in os.environ.items() if k not in OUR_SETTINGS}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def ours(name: str, db: Path, cache: bool) -> servers.Server:
    extra = {"DATABASE_URL": f"sqlite:///{db}", "AUTO_SEED": "false"}
    if not cache:
        extra["RESPONSE_CACHE_SIZE"] = "0"
    return servers.Server(name, "app.main:app", server_env(**extra), REPO, ready_path="/readyz")


def datasette(name: str, db: Path) -> servers.Server:
    env = server_env(BENCH_DATASETTE_DB=str(db))
    return servers.Server(
        name, "datasette_app:app", env, BENCH, app_dir=BENCH, ready_path=f"/{db.stem}.json"
    )


def bare(recorded: Path) -> servers.Server:
    env = server_env(BENCH_RESPONSES=str(recorded))
    return servers.Server("bare", "bare_asgi:app", env, BENCH, app_dir=BENCH, ready_path="/")


def plan(m: Member) -> None:
    """Fill m.targets; our servers' revalidation sends the ETag that server gives."""
    for s in SCENARIOS:
        if m.role.startswith("datasette"):
            path = s.datasette_target(m.db, m.sfx)
            if path is not None:
                m.targets[s.key] = Target(path, {}, 200)
            continue
        headers = {}
        if s.revalidate:
            f = fetch(m.server.port, s.ours_target(m.sfx))
            etag = f.header("etag")
            if f.status != 200 or not etag:
                raise RuntimeError(f"{m.role}: {s.ours_target(m.sfx)} gave {f.status}, no ETag")
            headers = {"If-None-Match": etag}
        m.targets[s.key] = Target(s.ours_target(m.sfx), headers, s.expect)


def record(m: Member, out: Path) -> dict[str, Fetched]:
    """Fetch every scenario from our server and save it for the bare app to replay."""
    entries, got = [], {}
    for key, t in m.targets.items():
        f = fetch(m.server.port, t.path, t.headers)
        got[key] = f
        entries.append(
            {
                "target": t.path,
                "if_none_match": t.headers.get("If-None-Match", ""),
                "status": f.status,
                "headers": [(k.lower(), v) for k, v in f.headers if k.lower() not in HOP_BY_HOP],
                "body_b64": base64.b64encode(f.body).decode(),
            }
        )
    out.write_text(json.dumps(entries))
    return got


def same_bytes(a: Fetched, b: Fetched) -> bool:
    def strip(f: Fetched) -> list[tuple[str, str]]:
        return [(k.lower(), v) for k, v in f.headers if k.lower() not in HOP_BY_HOP]

    return a.status == b.status and strip(a) == strip(b) and a.body == b.body


def start_fleet(
    small_db: Path, big_db: Path | None, big_sfx: str, pin: str | None
) -> dict[str, Member]:
    """Start every server, plan its requests, and set the bare app up from ours-cached."""
    fleet = [
        Member("ours-cached", ours("ours-cached", small_db, cache=True)),
        Member("ours-uncached", ours("ours-uncached", small_db, cache=False)),
        Member("datasette", datasette("datasette", small_db)),
    ]
    if big_db is not None:
        big = ours("ours-uncached-big", big_db, cache=False)
        fleet.append(Member("ours-uncached-big", big, big_sfx, big_db.stem))
        ds_big = datasette("datasette-big", big_db)
        fleet.append(Member("datasette-big", ds_big, big_sfx, big_db.stem))
    logs = WORK / "logs"
    for m in fleet:
        m.server.start(pin, logs)
    for m in fleet:
        m.server.wait_ready()
        plan(m)

    recorded = WORK / "recorded.json"
    got = record(fleet[0], recorded)
    b = Member("bare", bare(recorded), targets=fleet[0].targets)
    b.server.start(pin, logs)
    b.server.wait_ready()
    for key, t in b.targets.items():
        if not same_bytes(fetch(b.server.port, t.path, t.headers), got[key]):
            raise RuntimeError(f"the bare app does not replay {t.path} byte for byte")
    fleet.insert(1, b)
    log("servers ready: " + ", ".join(f"{m.role} :{m.server.port}" for m in fleet))
    log("the bare ASGI app replays every recorded response byte for byte")
    return {m.role: m for m in fleet}


def check_responses(
    fleet: dict[str, Member],
) -> tuple[list[tuple[str, str, str, int, int, str]], list[str]]:
    """One request per cell before timing: status, size and rows; then a short warm-up."""
    rows, notes = [], []
    for m in fleet.values():
        for key, t in m.targets.items():
            f = fetch(m.server.port, t.path, t.headers)
            rows.append((m.role, key, t.path, f.status, len(f.body), count_rows(f, t.path)))
            if f.status != t.expect:
                notes.append(
                    f"{m.role} / {key}: `{t.path}` answered {f.status}, expected {t.expect}: "
                    f"{f.body[:200]!r}"
                )
                log(f"WARNING {notes[-1]}")
            for _ in range(5):
                fetch(m.server.port, t.path, t.headers)
    return rows, notes


# --- timing --------------------------------------------------------------------------


def time_rounds(
    fleet: dict[str, Member], args: argparse.Namespace, pin: str | None
) -> dict[tuple[str, str], list[wrk.WrkResult]]:
    """Round r: every scenario, on every server in turn (scaled ones for scale_rounds only)."""
    lua = WORK / "status.lua"
    lua.write_text(wrk.STATUS_LUA)
    cells = sum(
        len(m.targets) * (args.scale_rounds if m.scaled else args.rounds) for m in fleet.values()
    )
    log(f"timing {cells} wrk runs of {args.duration:g}s ({cells * args.duration / 60:.1f} min)")
    results: dict[tuple[str, str], list[wrk.WrkResult]] = {}
    for rnd in range(args.rounds):
        for s in SCENARIOS:
            for m in fleet.values():
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
                    server_pid=m.server.pid,
                )
                results.setdefault((m.role, s.key), []).append(r)
                waited = cpu.wait_idle(m.server.pid)  # its backlog must not hit the next run
                if waited > 1:
                    log(f"  {m.role} worked {waited:.0f}s more on requests queued before wrk ended")
                flag = f"  ⚠ {r.errors} errors {r.statuses}" if r.errors else ""
                if r.foreign_cpu_pct > report.NOISY_PCT:
                    flag += f"  (other work used {r.foreign_cpu_pct:.0f}% of a core)"
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
    small_counts = seed(small_db, REPO / "seed")
    big_db, big_counts, big_how = (
        scale_database(args.copies, args.reseed) if scale else (None, {}, "")
    )
    big_sfx = synth.clone_suffix((args.copies + 1) // 2)  # one-by-id asks for a middle clone

    pinned = servers.taskset_works()
    server_cpu, wrk_cpu = ("0", "1") if pinned else (None, None)
    log("servers on CPU 0, wrk on CPU 1" if pinned else "taskset unusable or 1 CPU: no pinning")
    try:
        fleet = start_fleet(small_db, big_db, big_sfx, server_cpu)
        responses, notes = check_responses(fleet)
        load_before = loadavg()
        results = time_rounds(fleet, args, wrk_cpu)
        load_after = loadavg()
        rss = {role: m.server.rss_mb() for role, m in fleet.items()}
    finally:
        servers.stop_all()

    run = report.Run(
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
            "small_counts": fmt_counts(small_counts),
            "copies": str(args.copies),
            "big_counts": fmt_counts(big_counts),
            "big_how": big_how,
            "load": f"{load_before} before timing, {load_after} after",
        },
        results=results,
        rss_mb=rss,
        responses=responses,
        notes=notes,
    )
    text = report.markdown(run, report.machine(), report.versions(REPO), scale)
    args.output.write_text(text, "utf-8")
    raw = {f"{role} {key}": [r.__dict__ for r in v] for (role, key), v in results.items()}
    (WORK / "results.json").write_text(json.dumps(raw, indent=1))
    print()
    print(text)
    log(f"wrote {args.output} in {run.elapsed_s / 60:.1f} min")
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
