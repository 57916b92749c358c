"""CPU time that was not the bench's: other work on the machine during a timed run."""

import os
import resource
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _machine_busy_s() -> float:
    # user nice system idle iowait irq softirq steal ...: busy is all but idle and iowait.
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return (sum(fields) - fields[3] - fields[4]) / TICK


def _process_s(pid: int) -> float:
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _own_s() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):  # children: wrk, once reaped
        r = resource.getrusage(who)
        total += r.ru_utime + r.ru_stime
    return total


@dataclass
class Snapshot:
    """CPU counters at one moment."""

    wall: float
    machine: float
    server: float
    own: float


def snapshot(server_pid: int) -> Snapshot:
    return Snapshot(time.monotonic(), _machine_busy_s(), _process_s(server_pid), _own_s())


def foreign_pct(before: Snapshot, after: Snapshot) -> float:
    """CPU used by anything but the server under test, wrk and the bench, in % of one core."""
    wall = after.wall - before.wall
    ours = (after.server - before.server) + (after.own - before.own)
    other = (after.machine - before.machine) - ours
    return max(0.0, 100 * other / wall) if wall > 0 else 0.0


def wait_idle(pid: int, timeout: float = 120.0, window: float = 0.2) -> float:
    """Wait until the process uses under 5% of a core over a window; return the seconds waited.

    After wrk stops, a slow server still works through the requests it had queued; the next
    timed run (on another server pinned to the same core) must not pay for them.
    """
    start = time.monotonic()
    last = _process_s(pid)
    while time.monotonic() - start < timeout:
        time.sleep(window)
        now = _process_s(pid)
        if now - last < 0.05 * window:
            break
        last = now
    return time.monotonic() - start
