"""Real servers on free loopback ports, in processes of their own, for the tests that need a
client we did not write (a browser, the frictionless library).

`LiveServer` runs `uvicorn app.main:app` as the README does, on a database that does not exist
yet, so the app builds it from seed/ at startup (AUTO_SEED). `StaticSite` serves a folder with
Python's http.server: another origin, for a page that embeds ours.
"""

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import httpx

from app.config import PROJECT_ROOT

START_TIMEOUT = 60


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: "subprocess.Popen[bytes]") -> None:
    """End a process group this module started: politely, then for sure."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


class _Process:
    """A command in a new session, its output in a log file, stopped on exit."""

    def __init__(self, command: Sequence[str], folder: Path, env: dict[str, str]) -> None:
        """`command` ends with the port (this picks a free one)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = folder / "server.log"
        self.command = [*command, str(self.port)]
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, ready_path: str) -> None:
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=PROJECT_ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=self.base, trust_env=False, timeout=2) as http:
            while True:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.command[:3]} exited:\n{self.log.read_text()}")
                with contextlib.suppress(httpx.TransportError):
                    if http.get(ready_path).status_code == 200:
                        return
                if time.monotonic() > deadline:
                    self.stop()
                    log = self.log.read_text()
                    raise RuntimeError(f"{self.base}{ready_path} never answered:\n{log}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process)
            self.process = None


class LiveServer(_Process):
    """`uvicorn app.main:app` on a fresh SQLite database that the app seeds itself."""

    def __init__(self, folder: Path, *extra: str) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{folder / 'facts.sqlite3'}",
            "AUTO_SEED": "true",
        }
        command = [sys.executable, "-m", "uvicorn", "app.main:app", "--no-access-log"]
        super().__init__([*command, *extra, "--host", "127.0.0.1", "--port"], folder, env)
        self.database = folder / "facts.sqlite3"

    def __enter__(self) -> "LiveServer":
        self.start("/readyz")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


class StaticSite(_Process):
    """A folder served by `python -m http.server` on another loopback port."""

    def __init__(self, folder: Path) -> None:
        command = [sys.executable, "-m", "http.server", "--bind", "127.0.0.1"]
        super().__init__([*command, "--directory", str(folder)], folder, dict(os.environ))

    def __enter__(self) -> "StaticSite":
        self.start("/")
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
