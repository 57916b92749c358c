"""Fault episodes are logged once when they start and once when the dataset is healthy again,
also under partial damage, where reads alternate between failing and succeeding."""

import logging
import os
import shutil
import sqlite3
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from app.store.faults import FaultLog

UNAVAILABLE = "dataset unavailable"
RECOVERED = "dataset readable again"


def lines(caplog: pytest.LogCaptureFixture, text: str) -> int:
    return sum(text in r.getMessage() for r in caplog.records if r.name == "app.store")


def damage_table(path: Path, table: str) -> None:
    """Overwrite the root page of one table: reading it fails, every other table reads fine."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        (root,) = conn.execute(
            "SELECT rootpage FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
        ).fetchone()
    conn.close()
    with path.open("r+b") as f:
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)


def test_alternating_reads_of_a_half_damaged_file_log_one_fault_and_no_recovery(
    seeded_db: tuple[str, object], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "facts.sqlite3"
    good = tmp_path / "good.sqlite3"
    shutil.copyfile(seeded_db[0].removeprefix("sqlite:///"), good)
    shutil.copyfile(good, path)
    damage_table(path, "metric")
    caplog.set_level(logging.INFO, logger="app.store")
    settings = Settings(database_url=f"sqlite:///{path}", auto_seed=False)
    with TestClient(create_app(settings)) as client:
        statuses = set()
        for i in range(1, 101):  # a new URL each time: every answer is read, none cached
            statuses.add(client.get(f"/v1/indicators?limit={i}").status_code)
            statuses.add(client.get(f"/v1/metrics?limit={i}").status_code)
            if i % 25 == 0:
                time.sleep(1.1)  # let a recheck run: the readiness check fails each time
        assert statuses == {200, 503}
        assert client.get("/readyz").status_code == 503
        assert (lines(caplog, UNAVAILABLE), lines(caplog, RECOVERED)) == (1, 0)

        os.replace(good, path)
        assert client.get("/readyz").status_code == 200
        assert client.get("/v1/metrics?limit=101").status_code == 200
        assert client.get("/v1/indicators?limit=101").status_code == 200
    assert (lines(caplog, UNAVAILABLE), lines(caplog, RECOVERED)) == (1, 1)


def test_a_success_alone_never_ends_an_episode_a_passing_check_does() -> None:
    checks: list[int] = []
    faults = FaultLog("db", recheck=lambda: checks.append(1), interval=0.0)
    faults.failed(RuntimeError("disk image is malformed"))
    faults.read_ok()
    deadline = time.monotonic() + 5
    while not checks and time.monotonic() < deadline:
        time.sleep(0.01)
    assert checks and faults.fault == "RuntimeError: disk image is malformed"
    mark = faults.mark()
    faults.failed(RuntimeError("again"))  # a read failed while the check ran
    faults.healed(mark, "v1")
    assert faults.fault == "RuntimeError: again"
    faults.healed(faults.mark(), "v1")
    assert faults.fault is None


def test_rechecks_run_one_at_a_time_and_at_most_once_per_interval() -> None:
    checks: list[float] = []
    faults = FaultLog("db", recheck=lambda: checks.append(time.monotonic()), interval=3600.0)
    faults.failed(RuntimeError("locked"))
    for _ in range(100):
        faults.read_ok()
    time.sleep(0.2)
    assert len(checks) == 1
