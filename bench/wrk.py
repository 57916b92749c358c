"""Drive one URL with wrk and parse req/s, latency percentiles, errors and status codes."""

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import cpu
import servers

# Counts responses by status in each thread; done() prints the totals on one line.
STATUS_LUA = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
  end
  local parts = {}
  for code, n in pairs(total) do table.insert(parts, code .. "=" .. n) end
  table.sort(parts)
  io.write("BENCH_STATUS " .. table.concat(parts, " ") .. "\\n")
end
"""

UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}


@dataclass
class WrkResult:
    """One wrk run: throughput, latency in ms, and anything that was not the expected status."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    socket_errors: int
    non_2xx_3xx: int
    statuses: dict[int, int] = field(default_factory=dict)
    unexpected: int = 0  # responses whose status was not the one the scenario expects
    foreign_cpu_pct: float = 0.0  # CPU used meanwhile by other work, in % of one core
    client_cpu_pct: float = 0.0  # CPU wrk used, in % of its one core
    server_cpu_us: float = 0.0  # CPU the server used per completed request, in µs

    @property
    def errors(self) -> int:
        return self.socket_errors + self.non_2xx_3xx + self.unexpected


def _ms(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not m:
        raise ValueError(f"cannot read wrk time {text!r}")
    return float(m.group(1)) * UNITS[m.group(2)]


def parse(out: str, expect_status: int) -> WrkResult:
    """Read wrk's --latency report (and the status line of STATUS_LUA)."""
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    p50 = re.search(r"^\s*50%\s+(\S+)", out, re.M)
    p99 = re.search(r"^\s*99%\s+(\S+)", out, re.M)
    n = re.search(r"(\d+) requests in", out)
    if not (rps and p50 and p99 and n):
        raise RuntimeError(f"unexpected wrk output:\n{out}")
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    statuses: dict[int, int] = {}
    line = re.search(r"^BENCH_STATUS(.*)$", out, re.M)
    if line:
        for part in line.group(1).split():
            code, count = part.split("=")
            statuses[int(code)] = int(count)
    return WrkResult(
        rps=float(rps.group(1)),
        p50_ms=_ms(p50.group(1)),
        p99_ms=_ms(p99.group(1)),
        requests=int(n.group(1)),
        socket_errors=sum(int(x) for x in sock.groups()) if sock else 0,
        non_2xx_3xx=int(non2xx.group(1)) if non2xx else 0,
        statuses=statuses,
        unexpected=sum(c for s, c in statuses.items() if s != expect_status),
    )


def run(
    url: str,
    *,
    duration: float,
    connections: int,
    headers: dict[str, str],
    expect_status: int,
    pin: str | None,
    lua: Path | None,
    timeout_s: float,
    server_pids: list[int],
) -> WrkResult:
    """One bounded wrk run (killed if it overstays by 60 s), with the CPU others used meanwhile."""
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{duration:g}s", "--latency"]
    cmd += [f"--timeout={timeout_s:g}s"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    if lua is not None:
        cmd += ["-s", str(lua)]
    cmd.append(url)
    if pin is not None:
        cmd = ["taskset", "-c", pin, *cmd]
    before = cpu.snapshot(server_pids)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    servers.STARTED.append(proc)  # so an interrupt or error stops it too
    try:
        out, _ = proc.communicate(timeout=duration + timeout_s + 60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        servers.STARTED.remove(proc)
    after = cpu.snapshot(server_pids)
    text = out.decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}):\n{text}")
    result = parse(text, expect_status)
    result.foreign_cpu_pct = cpu.foreign_pct(before, after)
    result.client_cpu_pct = cpu.client_pct(before, after)
    if result.requests:
        result.server_cpu_us = 1e6 * (after.server - before.server) / result.requests
    return result
