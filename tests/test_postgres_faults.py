"""A hung PostgreSQL (its processes stopped, its kernel still acknowledging TCP, so no socket
timeout fires) makes requests answer 503 within DATABASE_TIMEOUT, never wait for the server;
liveness is untouched, and the service recovers by itself once the server runs again."""

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from app.dataset.build import BuiltDataset
from app.dataset.load import write_dataset
from tests.api_helpers import PROBLEM_JSON
from tests.conftest import require_service
from tests.live import serving
from tests.postgres_helpers import admin_url, fresh_database

pytestmark = pytest.mark.postgres

TIMEOUT = 2.0  # DATABASE_TIMEOUT of the server under test
SLACK = 3.0  # what a loaded test machine may add to an answer
# One deadline per request, its connection's closing included: a 503 comes within TIMEOUT and
# this margin, well under the 2 x TIMEOUT of waiting a second time to close the connection.
MARGIN = 1.0
STOPPED_FOR_AT_MOST = TIMEOUT + SLACK + 5.0  # then the server runs again, whatever happened
UNAVAILABLE = "dataset unavailable"
RECOVERED = "dataset readable again"


def _stat(pid: int) -> tuple[str, int]:
    """A process's state letter and parent pid, from /proc."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _cmdline(pid: int) -> str:
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        return f.read().replace(b"\0", b" ").decode("utf-8", "replace")


def cluster(admin: str) -> tuple[int, str]:
    """The postmaster of the test server and its data directory: asked of the server itself,
    and checked against this machine's processes (a server elsewhere is a skip, so that no
    process but the test cluster's is ever stopped)."""
    engine = create_engine(admin)
    with engine.connect() as conn:
        data = conn.execute(text("SHOW data_directory")).scalar_one()
        checkpointer = conn.execute(
            text("SELECT pid FROM pg_stat_activity WHERE backend_type = 'checkpointer'")
        ).scalar_one()
    engine.dispose()
    try:
        postmaster = _stat(checkpointer)[1]
        pidfile = Path(data, "postmaster.pid").read_text(encoding="utf-8").split("\n", 1)[0]
        assert "checkpointer" in _cmdline(checkpointer)
        os.kill(postmaster, 0)
    except (OSError, AssertionError) as exc:
        require_service(f"the test PostgreSQL is not a local cluster this user may signal: {exc}")
    if int(pidfile) != postmaster:
        require_service(f"postmaster {postmaster} is not the one {data} names ({pidfile})")
    return postmaster, data


def _children(parent: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if _stat(int(entry))[1] == parent:
                    found.append(int(entry))
            except OSError:
                continue  # ended meanwhile
    return found


@contextmanager
def stopped(postmaster: int) -> Iterator[None]:
    """SIGSTOP the postmaster (first, so it forks nothing new) and all its processes; SIGCONT
    them on the way out, and from a watchdog process should this one die first."""
    pids = [postmaster]
    watchdog = subprocess.Popen(
        ["sh", "-c", f'sleep {STOPPED_FOR_AT_MOST + 20}; kill -CONT {postmaster} "$@"', "sh"]
        + [str(p) for p in _children(postmaster)]
    )
    try:
        os.kill(postmaster, signal.SIGSTOP)
        children = _children(postmaster)
        pids += children
        for pid in children:
            os.kill(pid, signal.SIGSTOP)
        yield
    finally:
        for pid in reversed(pids):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGCONT)
        watchdog.kill()
        watchdog.wait(5)


def timed_get(client: httpx.Client, url: str) -> tuple[httpx.Response, float]:
    started = time.monotonic()
    response = client.get(url)
    return response, time.monotonic() - started


def test_a_hung_postgresql_is_503_within_the_timeout_and_recovers(
    tmp_path: Path, built: BuiltDataset
) -> None:
    postmaster, _ = cluster(admin_url())
    with fresh_database("zf_hang") as url:
        write_dataset(url, built)
        settings = {"DATABASE_URL": url, "DATABASE_TIMEOUT": str(TIMEOUT)}
        with (
            serving(tmp_path, **settings) as live,
            httpx.Client(base_url=live.base, timeout=60) as client,
            ThreadPoolExecutor(16) as pool,
        ):
            # Several connections in the pool, each to be used again while the server hangs.
            warm = [pool.submit(client.get, f"/v1/metrics?limit={n}") for n in range(1, 9)]
            assert {f.result().status_code for f in warm} == {200}
            # New URLs: the response cache has none of them.
            hung = [f"/v1/metrics?limit={n}&sort=id" for n in range(1, 7)]
            hung += ["/v1/indicators?limit=9", "/v1/entities?limit=9"]
            hung += ["/openapi.json", "/v1", "/v1/datapackage.json", "/v1/search?q=GDP"]
            with stopped(postmaster):
                pending = {u: pool.submit(timed_get, client, u) for u in hung}
                live_ok = pool.submit(timed_get, client, "/livez")
                done, _ = wait([*pending.values(), live_ok], timeout=STOPPED_FOR_AT_MOST)
                answered_while_stopped = {u for u, f in pending.items() if f in done}
                more = [f"/v1/timeline?limit={n}" for n in range(1, 41)]  # past the thread bound
                flood = [pool.submit(timed_get, client, u) for u in more]
                flooded, _ = wait(flood, timeout=STOPPED_FOR_AT_MOST)
                flood_answered = len(flooded)
                ready = timed_get(client, "/readyz")
            answers = {u: f.result() for u, f in pending.items()}
            assert answered_while_stopped == set(hung)  # nobody waited for the server
            assert flood_answered == len(more)
            assert live_ok.result()[0].status_code == 200
            for u, (response, seconds) in answers.items():
                assert response.status_code == 503, u
                assert response.headers["content-type"] == PROBLEM_JSON
                assert response.headers["retry-after"] == "5"
                assert seconds < TIMEOUT + MARGIN, (u, seconds)
            assert {f.result()[0].status_code for f in flood} == {503}
            assert ready[0].status_code == 503 and ready[1] < TIMEOUT + MARGIN

            deadline = time.monotonic() + 60  # the server runs again: so does the service
            n = 100
            while client.get(f"/v1/metrics?limit={n}").status_code != 200:
                assert time.monotonic() < deadline, live.output()
                n += 1
                time.sleep(0.2)
            assert client.get("/readyz").status_code == 200
            statuses = [client.get(f"/v1/entities?limit={k}").status_code for k in range(1, 31)]
            assert set(statuses) == {200}  # no connection left broken in the pool
            log = live.output()
    assert log.count(UNAVAILABLE) == 1, log
    assert log.count(RECOVERED) == 1, log
    assert "Traceback" not in log
