"""CPU time that was not the bench's: other work on the machine during a timed run, and the load
on wrk's own core."""

import contextlib
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
    """User and system CPU seconds of one process; 0 once it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime


def _processes_s(pids: list[int]) -> float:
    return sum(_process_s(p) for p in pids)


def tree(pid: int) -> list[int]:
    """pid and its descendants now (nginx's workers, PostgreSQL's backends)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        with contextlib.suppress(OSError):  # it ended meanwhile
            todo += [int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split()]
    return out


def _usage_s(who: int) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


@dataclass
class Snapshot:
    """CPU counters at one moment, in seconds."""

    wall: float
    machine: float
    server: float
    own: float  # the bench itself
    children: float  # the bench's reaped children: wrk, once a run is over


def snapshot(server_pids: list[int]) -> Snapshot:
    return Snapshot(
        time.monotonic(),
        _machine_busy_s(),
        _processes_s(server_pids),
        _usage_s(resource.RUSAGE_SELF),
        _usage_s(resource.RUSAGE_CHILDREN),
    )


def foreign_pct(before: Snapshot, after: Snapshot) -> float:
    """CPU used by anything but the server under test, wrk and the bench, in % of one core."""
    wall = after.wall - before.wall
    ours = (after.server - before.server) + (after.own - before.own)
    ours += after.children - before.children
    other = (after.machine - before.machine) - ours
    return max(0.0, 100 * other / wall) if wall > 0 else 0.0


def client_pct(before: Snapshot, after: Snapshot) -> float:
    """CPU used by the bench's reaped children (wrk) between the snapshots, in % of one core:
    near 100 the client, not the server, sets the pace."""
    wall = after.wall - before.wall
    return max(0.0, 100 * (after.children - before.children) / wall) if wall > 0 else 0.0


def wait_idle(pids: list[int], timeout: float = 120.0, window: float = 0.2) -> float:
    """Wait until the processes use under 5% of a core over a window; return the seconds waited.

    After wrk stops, a slow server still works through the requests it had queued; the next
    timed run (on another server pinned to the same core) must not pay for them.
    """
    start = time.monotonic()
    last = _processes_s(pids)
    while time.monotonic() - start < timeout:
        time.sleep(window)
        now = _processes_s(pids)
        if now - last < 0.05 * window:
            break
        last = now
    return time.monotonic() - start
