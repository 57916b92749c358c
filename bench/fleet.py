"""The servers under test, what each is asked per scenario, and the checks before timing."""

import base64
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import proxy
import servers
from figures import Checked
from scenarios import SCENARIOS, Fetched, count_rows, fetch, total_of

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
OUR_SETTINGS = {"DATABASE_URL", "AUTO_SEED", "CACHE_MAX_AGE", "RESPONSE_CACHE_SIZE", "SEED_DIR"}
HOP_BY_HOP = {"date", "server"}  # uvicorn adds these itself


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


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


@dataclass
class Plan:
    """Which servers to start: the small data always; the others when given."""

    small_db: Path
    big_db: Path | None = None
    big_sfx: str = ""
    pg_url: str | None = None  # the reader's URL of a seeded PostgreSQL
    pg_postmaster: int = 0
    proxy_dir: Path | None = None  # where the nginx servers keep their files


def server_env(**extra: str) -> dict[str, str]:
    """The environment minus any setting of ours inherited from the shell."""
    env = {k: v for k, v in os.environ.items() if k not in OUR_SETTINGS}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.update(extra)
    return env


def ours(name: str, url: str, cache: bool, **settings: str) -> servers.Server:
    """Our app on the database at url (SQLAlchemy), response cache on or off."""
    extra = {"DATABASE_URL": url, "AUTO_SEED": "false", **settings}
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
    """Fill m.targets; a revalidation sends the ETag that this server (or proxy) gives."""
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


def _start(members: list[Member], pin: str | None) -> None:
    for m in members:
        m.server.start(pin, BENCH / ".work" / "logs")
    for m in members:
        m.server.wait_ready()


def _bare(front: Member, pin: str | None) -> Member:
    """The bare app, replaying what `front` (ours-cached) sent, checked byte for byte."""
    recorded = BENCH / ".work" / "recorded.json"
    got = record(front, recorded)
    b = Member("bare", bare(recorded), targets=front.targets)
    _start([b], pin)
    for key, t in b.targets.items():
        if not same_bytes(fetch(b.server.port, t.path, t.headers), got[key]):
            raise RuntimeError(f"the bare app does not replay {t.path} byte for byte")
    log("the bare ASGI app replays every recorded response byte for byte")
    return b


def _proxies(behind: Member, where: Path, pin: str | None) -> list[Member]:
    """nginx with deploy/'s configuration in front of `behind`, and nginx serving the bytes it
    answers from its cache, from files (checked byte for byte)."""
    front = proxy.in_front("nginx-cache", where / "cache", behind.server.port)
    cache = Member("nginx-cache", front)
    _start([cache], pin)
    plan(cache)
    files = [
        proxy.FileResponse(s.key, proxy.record_hit(front.port, s.ours_target("")), s.revalidate)
        for s in SCENARIOS
    ]
    plain = Member("nginx-file", proxy.from_files("nginx-file", where / "files", files))
    _start([plain], pin)
    for f, s in zip(files, SCENARIOS, strict=True):
        got = fetch(plain.server.port, f.path)
        if got.status != 200 or got.body != f.recorded.body:
            raise RuntimeError(f"nginx-file does not serve {f.path} as recorded")
        headers = {}
        if f.revalidate:
            headers = {"If-None-Match": got.header("etag") or ""}
        plain.targets[s.key] = Target(f.path, headers, s.expect)
    log("nginx-file serves every response nginx-cache answered from its cache, byte for byte")
    return [cache, plain]


def start(p: Plan, pin: str | None) -> dict[str, Member]:
    """Start every server, plan its requests, set the bare app up from ours-cached and the
    nginx pair in front of it."""
    cached = Member("ours-cached", ours("ours-cached", f"sqlite:///{p.small_db}", cache=True))
    fleet = [
        cached,
        Member("ours-uncached", ours("ours-uncached", f"sqlite:///{p.small_db}", cache=False)),
    ]
    if p.pg_url is not None:
        pg = ours("ours-uncached-pg", p.pg_url, cache=False)
        pg.helpers = [p.pg_postmaster]
        fleet.append(Member("ours-uncached-pg", pg))
    fleet.append(Member("datasette", datasette("datasette", p.small_db)))
    if p.big_db is not None:
        big = ours("ours-uncached-big", f"sqlite:///{p.big_db}", cache=False)
        fleet.append(Member("ours-uncached-big", big, p.big_sfx, p.big_db.stem))
        ds_big = datasette("datasette-big", p.big_db)
        fleet.append(Member("datasette-big", ds_big, p.big_sfx, p.big_db.stem))
    _start(fleet, pin)
    for m in fleet:
        plan(m)
    fleet.insert(1, _bare(cached, pin))
    if p.proxy_dir is not None:
        fleet[2:2] = _proxies(cached, p.proxy_dir, pin)
    log("servers ready: " + ", ".join(f"{m.role} :{m.server.port}" for m in fleet))
    return {m.role: m for m in fleet}


def check(fleet: dict[str, Member]) -> tuple[list[Checked], dict[tuple[str, str], int], list[str]]:
    """One request per cell before timing: status, size, rows and matches; then a warm-up."""
    rows, totals, notes = [], {}, []
    for m in fleet.values():
        for key, t in m.targets.items():
            f = fetch(m.server.port, t.path, t.headers)
            rows.append((m.role, key, t.path, f.status, len(f.body), count_rows(f, t.path)))
            total = total_of(f)
            if total is not None:
                totals[(m.role, key)] = total
            if f.status != t.expect:
                notes.append(
                    f"{m.role} / {key}: `{t.path}` answered {f.status}, expected {t.expect}: "
                    f"{f.body[:200]!r}"
                )
                log(f"WARNING {notes[-1]}")
            for _ in range(5):
                fetch(m.server.port, t.path, t.headers)
    return rows, totals, notes
