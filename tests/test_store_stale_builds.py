"""A seed killed mid-build leaves its build file behind; the next seed removes it, and never the
file of a seed that is still running."""

import fcntl
import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.dataset import load
from app.dataset.build import BuiltDataset
from app.dataset.load import remove_stale_builds, write_dataset
from tests.live import SERVE, clean_env

SEED = [SERVE[0], "seed"]

HOLD_LOCK = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".building" in p.name)


def test_a_killed_seed_leaves_files_that_the_next_seed_removes(
    tmp_path: Path, built: BuiltDataset
) -> None:
    db = tmp_path / "facts.sqlite3"
    env = clean_env(DATABASE_URL=f"sqlite:///{db}")
    proc = subprocess.Popen(SEED, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        # Kill it while the build file exists (it is written for about a second).
        while not leftovers(tmp_path) and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(10)
    left = leftovers(tmp_path)
    assert left, "the seed finished before it could be killed"
    assert all(name.startswith(f".facts.sqlite3.{proc.pid}.") for name in left)
    assert not db.exists()

    write_dataset(f"sqlite:///{db}", built)
    assert leftovers(tmp_path) == []
    assert db.exists()


def test_a_running_seeds_build_file_is_kept_and_removed_once_it_is_dead(
    tmp_path: Path, built: BuiltDataset
) -> None:
    db = tmp_path / "facts.sqlite3"
    live = tmp_path / ".facts.sqlite3.1.aaaa.building"
    dead = tmp_path / ".facts.sqlite3.2.bbbb.building"
    dead.write_bytes(b"half a database")
    (tmp_path / f"{dead.name}-journal").write_bytes(b"journal")
    orphan = tmp_path / ".facts.sqlite3.3.cccc.building-journal"  # its database is gone
    orphan.write_bytes(b"journal")
    other = tmp_path / ".other.sqlite3.4.dddd.building"  # another database's: not ours to judge
    other.write_bytes(b"x")
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(live)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        removed = remove_stale_builds(db)
        assert sorted(p.name for p in removed) == sorted(
            [dead.name, f"{dead.name}-journal", orphan.name]
        )
        assert leftovers(tmp_path) == sorted([other.name, live.name])
        write_dataset(f"sqlite:///{db}", built)  # a seed beside a live one: both fine
        assert live.exists()
    finally:
        holder.kill()
        holder.wait(10)
        holder.stdout.close()  # type: ignore[union-attr]
    assert [p.name for p in remove_stale_builds(db)] == [live.name]
    assert leftovers(tmp_path) == [other.name]
    assert os.listdir(tmp_path).count("facts.sqlite3") == 1


def test_a_build_file_removed_before_its_lock_is_taken_is_claimed_afresh(
    tmp_path: Path, built: BuiltDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "facts.sqlite3"
    real_flock, real_upgrade = fcntl.flock, load.upgrade
    raced: list[Path] = []
    locked_while_building: list[bool] = []

    def flock(fd: int, operation: int) -> None:
        if operation == fcntl.LOCK_EX and not raced:
            # Another seed's cleanup runs between our create and our lock, and wins.
            raced.extend(remove_stale_builds(db))
        real_flock(fd, operation)

    def upgrade(url: str, revision: str = "head") -> None:
        building = Path(url.removeprefix("sqlite:///"))
        probe = os.open(building, os.O_RDONLY)  # fails if the file we locked is gone
        try:
            real_flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            locked_while_building.append(True)
        else:
            locked_while_building.append(False)
        finally:
            os.close(probe)
        real_upgrade(url, revision)

    monkeypatch.setattr(fcntl, "flock", flock)
    monkeypatch.setattr(load, "upgrade", upgrade)
    write_dataset(f"sqlite:///{db}", built)
    assert len(raced) == 1 and raced[0].name.endswith(".building")
    assert locked_while_building == [True]  # the file being built is the one we hold locked
    assert leftovers(tmp_path) == []
    assert db.exists()


def test_the_folder_is_synced_after_the_rename(
    tmp_path: Path, built: BuiltDataset, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "facts.sqlite3"
    real_fsync = os.fsync
    synced: list[tuple[bool, int, bool]] = []

    def fsync(fd: Any) -> None:
        st = os.fstat(fd)
        synced.append((stat.S_ISDIR(st.st_mode), st.st_ino, db.exists()))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_dataset(f"sqlite:///{db}", built)
    assert (True, tmp_path.stat().st_ino, True) in synced
