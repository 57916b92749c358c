"""PostgreSQL in the bench: a throwaway cluster on loopback (../shared/scripts/pg-throwaway.sh,
the one CI uses), pinned to the servers' core, stopped and deleted when the run ends however it
ends."""

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import servers

DATABASE = "bench"
READER = "zhuzhou_reader"  # the role the API serves as: it may only SELECT (README, Scaling out)
TIMEOUT_S = 180  # seconds a start or stop of the cluster may take


@dataclass
class Cluster:
    """A running cluster: where it listens, the URLs to seed and to serve with, its postmaster."""

    port: int
    owner_url: str
    reader_url: str
    postmaster: int


def missing(script: Path) -> str | None:
    """Why no cluster can be started here, or None when one can."""
    if not script.exists():
        return f"{script} not found"
    if not any(Path("/usr/lib/postgresql").glob("*/bin/initdb")) and not shutil.which("initdb"):
        return "no PostgreSQL server binaries (Debian: apt-get install postgresql)"
    return None


def _script(script: Path, action: str, env: dict[str, str], pin: str | None) -> str:
    cmd = ["bash", str(script), action]
    if pin is not None:
        cmd = ["taskset", "-c", pin, *cmd]  # the server and its backends inherit the core
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"pg-throwaway.sh {action} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def start(script: Path, state: Path, port: int, pin: str | None) -> Cluster:
    """Start the cluster in state (a directory the script creates and deletes) on 127.0.0.1:port;
    its stop is registered first, so that a failure or an interrupt mid-start still stops it."""
    env = {
        **os.environ,
        "PG_THROWAWAY_DIR": str(state),
        "PG_THROWAWAY_PORT": str(port),
        "PG_THROWAWAY_DB": DATABASE,
    }
    servers.CLEANUPS.append(lambda: print(_script(script, "stop", env, None), end=""))
    _script(script, "start", env, pin)
    postmaster = int((state / "data" / "postmaster.pid").read_text().split()[0])
    base = f"127.0.0.1:{port}/{DATABASE}"
    return Cluster(
        port=port,
        owner_url=f"postgresql+psycopg://postgres@{base}",
        reader_url=f"postgresql+psycopg://{READER}@{base}",
        postmaster=postmaster,
    )
