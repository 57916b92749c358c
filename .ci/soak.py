"""A bounded soak of the README's run command: wrk drives many connections with a mix of URLs that
defeats the response cache, on loopback; any failed request, any 5xx, any traceback, or memory that
grows between the first and the last quarter fails the run. Figures are printed either way.

    .venv/bin/python .ci/soak.py --work DIR [--seconds 30] [--connections 64] [--serve CMD...]

Only the processes started here are signalled (the server, wrk), and both are bounded in time.
"""

import argparse
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path
from statistics import mean

ROOT = Path(__file__).resolve().parent.parent
SERVE = [".venv/bin/zhuzhou-facts", "serve"]  # the README's run command (from the project root)

# Every request is a documented URL with random parameters: about 10^5 distinct URLs, so the
# response cache (2,048 entries) keeps evicting and most requests run their route and queries.
MIX_LUA = r"""
local tokens = {"GDP", "gdp", "growth", "%E5%9C%B0%E5%8C%BA", "%E4%BA%A7%E4%B8%9A",
  "%E6%A0%AA%E6%B4%B2", "%E8%BD%A8%E9%81%93", "%E4%BA%BF%E5%85%83", "%E5%A2%9E%E9%95%BF",
  "%E4%BC%81%E4%B8%9A", "rail", "cluster", "zz", "ab", "20", "%25", "_x"}
local sorts = {"period", "-period", "value", "-value", "id", "-id", "document"}
local ids = {"gdp-2021-q1-q3", "target-gdp", "gdp-growth-2021-q1-q3"}
local r = math.random
local function token() return tokens[r(#tokens)] end
local makers = {
  function() return "/v1/metrics?limit=" .. r(1, 100) .. "&offset=" .. r(0, 64) end,
  function() return "/v1/metrics?year=" .. r(2010, 2030) .. "&sort=" .. sorts[r(#sorts)]
    .. "&limit=" .. r(1, 50) end,
  function() return "/v1/metrics?q=" .. token() .. "&limit=" .. r(1, 60) end,
  function() return "/v1/metrics?limit=" .. r(1, 80) .. "&offset=" .. r(0, 40) .. "&format=csv" end,
  function() return "/v1/search?q=" .. token() .. token() end,
  function() local y = r(2010, 2025); return "/v1/timeline?from=" .. y .. "&to=" .. (y + r(0, 5))
    .. "&limit=" .. r(1, 30) end,
  function() return "/v1/entities?limit=" .. r(1, 60) .. "&offset=" .. r(0, 30) end,
  function() return "/v1/industry-chains?limit=" .. r(1, 30) .. "&offset=" .. r(0, 20) end,
  function() return "/v1/indicators?limit=" .. r(1, 70) .. "&q=" .. token() end,
  function() return "/v1/metrics/" .. ids[r(#ids)] end,
  function() return "/v1" end,
}
local threads = {}
function setup(thread) thread:set("id", #threads + 1); table.insert(threads, thread) end
function init(args) statuses = {}; math.randomseed(os.time() * 100 + id) end
function request() return wrk.format("GET", makers[r(#makers)]()) end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do table.insert(parts, '"' .. code .. '":' .. n) end
  io.write("SOAK_STATUS {" .. table.concat(parts, ",") .. "}\n")
  local e = summary.errors
  io.write(string.format('SOAK_ERRORS {"connect":%d,"read":%d,"write":%d,"timeout":%d}\n',
    e.connect, e.read, e.write, e.timeout))
  io.write(string.format("SOAK_P99_MS %.1f\n", latency:percentile(99) / 1000))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(f"{base}/readyz", timeout=2).status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError("the server was not ready in time")


def wrk(base: str, seconds: int, connections: int, lua: Path) -> str:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout=10s", "-s", str(lua)]
    done = subprocess.run(
        [*cmd, base + "/"], capture_output=True, text=True, timeout=seconds + 60, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def field(out: str, name: str) -> str:
    found = re.search(rf"^{name} (.*)$", out, re.M)
    if not found:
        raise RuntimeError(f"no {name} in wrk's output:\n{out}")
    return found.group(1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--work", type=Path, required=True, help="a scratch directory")
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--connections", type=int, default=64)
    p.add_argument("--warmup", type=int, default=10, help="seconds of load before measuring")
    p.add_argument("--growth", type=float, default=0.05, help="allowed memory growth (share)")
    p.add_argument("--serve", nargs="+", default=SERVE, help="the run command (.ci/run's)")
    args = p.parse_args()

    lua = args.work / "soak.lua"
    lua.write_text(MIX_LUA, encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    names = {"DATABASE_URL", "AUTO_SEED", "RESPONSE_CACHE_SIZE", "WORKERS", "HOST", "PORT"}
    env = {k: v for k, v in os.environ.items() if k not in names}
    env |= {"HOST": "127.0.0.1", "PORT": str(port)}
    env["DATABASE_URL"] = f"sqlite:///{args.work / 'soak.sqlite3'}"  # built from seed/ at start
    log = args.work / "soak-server.log"
    with log.open("wb") as out:
        server = subprocess.Popen(
            args.serve, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    samples: list[float] = []
    try:
        wait_ready(base, server)
        wrk(base, args.warmup, args.connections, lua)  # fill the caches to their bounds first
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(0.5):
                samples.append(rss_mb(server.pid))

        sampler = threading.Thread(target=sample)
        sampler.start()
        try:
            out = wrk(base, args.seconds, args.connections, lua)
        finally:
            stop.set()
            sampler.join()
        alive = server.poll() is None
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    statuses = {int(k): v for k, v in json.loads(field(out, "SOAK_STATUS")).items()}
    errors = json.loads(field(out, "SOAK_ERRORS"))
    requests = sum(statuses.values())
    failed = sum(errors.values()) + sum(n for code, n in statuses.items() if code != 200)
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    quarter = max(1, len(samples) // 4)
    first, last = mean(samples[:quarter]), mean(samples[-quarter:])
    tracebacks = log.read_text(encoding="utf-8", errors="replace").count("Traceback")
    print(
        f"soak: {args.connections} connections for {args.seconds} s (after {args.warmup} s of "
        f"warm-up): {requests} requests ({requests / args.seconds:.0f}/s), "
        f"p99 {field(out, 'SOAK_P99_MS')} ms, statuses {statuses}, socket errors {errors}, "
        f"failed {failed}, 5xx {server_errors}, tracebacks {tracebacks}; "
        f"RSS first quarter {first:.1f} MB, last quarter {last:.1f} MB "
        f"({(last - first) / first:+.1%}), {len(samples)} samples"
    )
    ok = (
        alive
        and requests > 0
        and failed == 0
        and server_errors == 0
        and tracebacks == 0
        and last <= first * (1 + args.growth)
    )
    if not ok:
        print("soak: FAILED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
