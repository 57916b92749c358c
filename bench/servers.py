"""Start, watch and stop the servers under test; only processes started here are ever signalled."""

import atexit
import contextlib
import http.client
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cpu

STARTED: list[subprocess.Popen[bytes]] = []
# What else to undo when the run ends (a PostgreSQL cluster started by a script), last first.
CLEANUPS: list[Callable[[], None]] = []


def taskset_works() -> bool:
    """True when there are 2+ CPUs and `taskset -c 0` / `-c 1` can pin a process."""
    if (os.cpu_count() or 1) < 2:
        return False
    try:
        for cpu in ("0", "1"):
            subprocess.run(["taskset", "-c", cpu, "true"], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        return False
    return True


def uvicorn_flags() -> list[str]:
    """The same flags for every server: one worker, no access log, uvloop/httptools if present."""
    flags = ["--workers", "1", "--no-access-log", "--log-level", "warning"]
    if importlib.util.find_spec("uvloop"):
        flags += ["--loop", "uvloop"]
    if importlib.util.find_spec("httptools"):
        flags += ["--http", "httptools"]
    return flags


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Server:
    """One server process on 127.0.0.1: uvicorn serving one ASGI app, or a given command (nginx)."""

    name: str
    app: str  # module:attribute
    env: dict[str, str]
    cwd: Path
    app_dir: Path | None = None
    ready_path: str = "/"
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    command: list[str] = field(default_factory=list)  # run instead of uvicorn when given
    # Other processes that do this server's work, as the roots of their trees (PostgreSQL's
    # postmaster): their CPU time is the server's, not other work on the machine.
    helpers: list[int] = field(default_factory=list)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def argv(self) -> list[str]:
        """The command: the given one, else uvicorn with the flags every server shares."""
        if self.command:
            return list(self.command)
        cmd = [sys.executable, "-m", "uvicorn", self.app, "--host", "127.0.0.1"]
        cmd += ["--port", str(self.port), *uvicorn_flags()]
        if self.app_dir is not None:
            cmd += ["--app-dir", str(self.app_dir)]
        return cmd

    def start(self, pin: str | None, log_dir: Path) -> None:
        """Launch the server (pinned to a CPU when pin is given)."""
        cmd = self.argv()
        if pin is not None:
            cmd = ["taskset", "-c", pin, *cmd]  # taskset execs: the pid stays uvicorn's
        self.log = log_dir / f"{self.name}.log"
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(
                cmd,
                cwd=self.cwd,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own group: a Ctrl-C here does not reach it
            )
        STARTED.append(self.proc)

    def wait_ready(self, timeout: float = 120.0) -> None:
        """Poll until any HTTP answer on ready_path; fail early if the process died."""
        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}: {self.tail()}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                conn.request("GET", self.ready_path)
                conn.getresponse().read()
                conn.close()
                return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready after {timeout:.0f}s: {self.tail()}")

    def tail(self) -> str:
        if self.log is None or not self.log.exists():
            return "(no log)"
        return self.log.read_text("utf-8", "replace")[-2000:]

    def rss_mb(self) -> float | None:
        """Resident memory (VmRSS) of the server process, in MB (10^6 bytes)."""
        if self.proc is None or self.proc.poll() is not None:
            return None
        try:
            for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024 / 1e6
        except OSError:
            return None
        return None

    @property
    def pid(self) -> int:
        assert self.proc is not None, f"{self.name} was never started"
        return self.proc.pid

    def pids(self) -> list[int]:
        """Every process doing this server's work now: its own tree (nginx's workers) and its
        helpers' trees."""
        return [p for root in (self.pid, *self.helpers) for p in cpu.tree(root)]

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


def stop_all() -> None:
    """Terminate every process this module started (their own process groups), reap them, then
    run the cleanups (each once, even if one fails)."""
    for proc in STARTED:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in STARTED:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    STARTED.clear()
    while CLEANUPS:
        cleanup = CLEANUPS.pop()
        try:
            cleanup()
        except Exception as exc:  # the others must still run
            print(f"cleanup failed: {exc}", file=sys.stderr)


def _on_sigterm(signum: int, _frame: object) -> None:
    print(
        f"\n{signal.Signals(signum).name}: stopping every process this run started", file=sys.stderr
    )
    raise SystemExit(128 + signum)


def install_cleanup() -> None:
    """Stop the servers at exit, on SIGTERM and SIGHUP too (Ctrl-C raises KeyboardInterrupt)."""
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGHUP, _on_sigterm)
