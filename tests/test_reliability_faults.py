"""Faults on a real server: a missing, corrupt or replaced database gives 503 problems with
Retry-After (never a 500), is logged once per fault, is told truthfully by /readyz, and heals by
itself when a good file is back; /openapi.json follows a reseed."""

import os
import shutil
import sqlite3
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

import httpx
import pytest

from app.dataset.build import BuiltDataset, build
from app.dataset.files import load_seed
from app.dataset.load import write_dataset
from tests.api_helpers import DATA_URLS, PROBLEM_JSON
from tests.conftest import SEED_DIR
from tests.live import Live, free_port, serving
from tests.reseed_load import relabel

UNAVAILABLE = "dataset unavailable"
RECOVERED = "dataset readable again"
# oEmbed names a page by its absolute URL, whose host is the test client's: left out here.
PROBED = [u for u in DATA_URLS if not u.startswith("/oembed")]
PROBED += ["/openapi.json", "/v1/metrics?limit=3&format=csv", "/v1/nowhere"]


@pytest.fixture(scope="module")
def relabelled(tmp_path_factory: pytest.TempPathFactory) -> BuiltDataset:
    """The seed with the English name of gdp-2021-q1-q3's series changed: another version."""
    return build(load_seed(relabel(tmp_path_factory.mktemp("relabelled") / "seed")))


@pytest.fixture
def good_copy(seeded_db: tuple[str, object], tmp_path: Path) -> Path:
    """A private copy of the shared seeded database, to be broken and restored."""
    path = tmp_path / "facts.sqlite3"
    shutil.copyfile(seeded_db[0].removeprefix("sqlite:///"), path)
    return path


@pytest.fixture
def server(good_copy: Path, tmp_path: Path) -> Iterator[Live]:
    with serving(tmp_path, DATABASE_URL=f"sqlite:///{good_copy}", AUTO_SEED="false") as live:
        yield live


def answers(live: Live) -> dict[str, int]:
    """The status of every probed URL, checking that errors are problems and 503s say when."""
    found = {}
    with httpx.Client(base_url=live.base, timeout=10) as client:
        for url in PROBED:
            response = client.get(url)
            found[url] = response.status_code
            if response.status_code >= 400:
                assert response.headers["content-type"] == PROBLEM_JSON, url
                assert response.json()["status"] == response.status_code
            if response.status_code == 503:
                assert response.headers["retry-after"] == "5"
                assert response.headers["cache-control"] == "no-store"
    return found


def assert_all_unavailable(live: Live) -> None:
    statuses = answers(live)
    assert statuses.pop("/v1/nowhere") == 404  # routing needs no data
    assert set(statuses.values()) == {503}, statuses


def assert_all_ok(live: Live) -> None:
    statuses = answers(live)
    assert statuses.pop("/v1/nowhere") == 404
    assert set(statuses.values()) == {200}, statuses


def readyz(live: Live) -> httpx.Response:
    return httpx.get(live.base + "/readyz", timeout=10)


def test_a_missing_database_at_start_is_503_until_it_is_seeded(tmp_path: Path) -> None:
    db = tmp_path / "later.sqlite3"
    with serving(tmp_path, DATABASE_URL=f"sqlite:///{db}", AUTO_SEED="false") as live:
        for _ in range(5):
            assert_all_unavailable(live)
        assert readyz(live).status_code == 503
        assert httpx.get(live.base + "/livez").status_code == 200
        write_dataset(f"sqlite:///{db}", build(load_seed(SEED_DIR)))
        assert readyz(live).status_code == 200
        assert_all_ok(live)
        log = live.output()
    assert log.count(UNAVAILABLE) == 1, log  # 5 x 21 failed requests, one line
    assert log.count(RECOVERED) == 1
    assert "Traceback" not in log


def test_a_database_deleted_under_load_is_503_and_recovers_when_put_back(
    server: Live, good_copy: Path, tmp_path: Path
) -> None:
    assert_all_ok(server)
    kept = tmp_path / "kept.sqlite3"
    shutil.copyfile(good_copy, kept)
    good_copy.unlink()
    assert readyz(server).status_code == 503  # at once: the file on disk, not the one opened
    for _ in range(5):
        assert_all_unavailable(server)
    os.replace(kept, good_copy)
    assert readyz(server).status_code == 200
    assert_all_ok(server)
    log = server.output()
    assert log.count(UNAVAILABLE) == 1, log
    assert log.count(RECOVERED) == 1
    assert "Traceback" not in log


@pytest.mark.parametrize("damage", ["garbage", "empty", "half-overwritten"])
def test_a_corrupt_database_is_never_a_500_and_readiness_says_so(
    server: Live, good_copy: Path, tmp_path: Path, damage: str
) -> None:
    assert_all_ok(server)
    kept = tmp_path / "kept.sqlite3"
    shutil.copyfile(good_copy, kept)
    size = good_copy.stat().st_size
    if damage == "garbage":
        good_copy.write_bytes(os.urandom(size))
    elif damage == "empty":
        good_copy.write_bytes(b"")
    else:  # in place, past the header: SQLite opens the file, and meets damage when it reads
        with good_copy.open("r+b") as f:
            f.seek(size // 2)
            f.write(os.urandom(size - size // 2))
    response = readyz(server)
    assert response.status_code == 503
    assert response.json()["type"] == "urn:zhuzhou-facts:problem:not-ready"
    statuses = answers(server)
    assert 500 not in statuses.values(), statuses
    if damage != "half-overwritten":
        assert statuses.pop("/v1/nowhere") == 404
        assert set(statuses.values()) == {503}, statuses
    os.replace(kept, good_copy)
    assert readyz(server).status_code == 200
    assert_all_ok(server)
    log = server.output()
    assert log.count(UNAVAILABLE) <= 1, log
    assert "Traceback" not in log


# Longer than any answer takes, shorter than SQLite's default busy wait (5 s): a server that
# waited for a lock would still be waiting when it is released, and then answer 200.
LOCK_HELD_FOR_AT_MOST = 3.0
# Data the response cache cannot have yet: each is read from the file.
UNCACHED = ["/v1/metrics?limit=7", "/v1/indicators?limit=7", "/v1/timeline?limit=7", "/v1"]


def test_a_locked_database_is_503_at_once_and_never_holds_up_liveness(
    server: Live, good_copy: Path
) -> None:
    holder = sqlite3.connect(good_copy, isolation_level=None, timeout=0)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing the served file in place
    holder.execute("UPDATE dataset_info SET value = value || '' WHERE key = 'version'")
    with ThreadPoolExecutor(len(UNCACHED) + 1) as pool, httpx.Client(timeout=30) as client:
        try:
            pending = {url: pool.submit(client.get, server.base + url) for url in UNCACHED}
            pending["/livez"] = pool.submit(client.get, server.base + "/livez")
            done, _ = wait(pending.values(), timeout=LOCK_HELD_FOR_AT_MOST)
            answered_while_locked = {url for url, f in pending.items() if f in done}
            ready_while_locked = readyz(server).status_code
        finally:
            holder.execute("ROLLBACK")  # only now: what was answered above came while it was held
            holder.close()
        answers = {url: f.result() for url, f in pending.items()}
    assert answered_while_locked == set(pending)  # nothing waited for the lock
    assert answers.pop("/livez").status_code == 200
    for url, response in answers.items():
        assert response.status_code == 503, url
        assert response.headers["content-type"] == PROBLEM_JSON
        assert response.headers["retry-after"] == "5"
    assert ready_while_locked == 503
    assert readyz(server).status_code == 200
    assert_all_ok(server)
    log = server.output()
    assert log.count(UNAVAILABLE) == 1, log
    assert "database is locked" in log
    assert "Traceback" not in log


def test_a_reseed_is_reported_at_once_and_rebuilds_the_openapi_examples(
    server: Live, good_copy: Path, relabelled: BuiltDataset
) -> None:
    with httpx.Client(base_url=server.base, timeout=10) as client:
        before = client.get("/openapi.json")
        old_version = readyz(server).json()["dataset_version"]
        example = _metric_example(before.json())
        assert not example["name"]["en"].startswith("Relabelled")
        write_dataset(f"sqlite:///{good_copy}", relabelled)
        assert readyz(server).json()["dataset_version"] == relabelled.version != old_version
        after = client.get("/openapi.json")
        assert after.headers["etag"] != before.headers["etag"]
        assert _metric_example(after.json())["name"]["en"].startswith("Relabelled")
        assert client.get("/v1").json()["dataset_version"] == relabelled.version


def _metric_example(document: dict[str, object]) -> dict[str, object]:
    paths = document["paths"]
    assert isinstance(paths, dict)
    op = paths["/v1/metrics/{metric_id}"]["get"]
    example: dict[str, object] = op["responses"]["200"]["content"]["application/json"]["example"]
    assert example["id"] == "gdp-2021-q1-q3"
    return example


def test_an_unreachable_postgresql_is_503_and_never_holds_up_liveness(tmp_path: Path) -> None:
    nobody = f"postgresql+psycopg://reader@127.0.0.1:{free_port()}/facts"  # nothing listens
    with serving(tmp_path, DATABASE_URL=nobody) as live:
        for _ in range(3):
            assert_all_unavailable(live)
        assert readyz(live).status_code == 503
        assert httpx.get(live.base + "/livez").status_code == 200
        log = live.output()
    assert log.count(UNAVAILABLE) == 1, log
    assert "Traceback" not in log
