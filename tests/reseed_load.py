"""Reseeds under load: clients fetch while two datasets replace each other, and every response is
checked against what each dataset gives when nothing moves. A response whose ETag belongs to one
version and body to the other is mixed; one that matches neither is torn. Both must be zero."""

import hashlib
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.conftest import SEED_DIR

# Each differs between the two datasets (relabel() changes gdp-year-to-date's English name).
URLS = [
    "/v1",
    "/v1/metrics/gdp-2021-q1-q3",
    "/v1/indicators/gdp-year-to-date",
    "/v1/metrics?indicator=gdp-year-to-date",
    "/v1/metrics?q=Relabelled",
    "/v1/metrics?limit=500&format=csv",
    "/v1/search?q=GDP",
    "/openapi.json",
]

Seen = tuple[str, str]  # ETag, SHA-256 of the body


def relabel(dest: Path) -> Path:
    """A copy of seed/ in dest whose series gdp-year-to-date has an English name that starts
    with "Relabelled" (so its metrics have too): another dataset version."""
    shutil.copytree(SEED_DIR, dest)
    path = dest / "indicators.toml"
    old = 'en = "Gross regional product (GDP), year to date'
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, 'en = "Relabelled: GDP, year to date'), encoding="utf-8")
    return dest


def fetch(client: httpx.Client, url: str) -> tuple[int, Seen]:
    response = client.get(url)
    return response.status_code, (response.headers.get("etag", ""), _digest(response.content))


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def references(base: str, version: str, others: list[dict[str, Seen]]) -> dict[str, Seen]:
    """What each URL gives once the server serves version: polled until it is neither an error
    nor what another version gave (a cache may take a moment to notice the reseed)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        deadline = time.monotonic() + 30
        while client.get("/v1").json()["dataset_version"] != version:
            assert time.monotonic() < deadline, f"the server never served {version}"
            time.sleep(0.05)
        found = {}
        for url in URLS:
            while True:
                status, seen = fetch(client, url)
                if status == 200 and all(seen != other[url] for other in others):
                    break
                assert time.monotonic() < deadline, f"{url} never gave {version}'s answer"
                time.sleep(0.05)
            found[url] = seen
        assert client.get("/v1").json()["dataset_version"] == version
    return found


@dataclass
class Tally:
    """What the clients saw."""

    by_version: Counter[str] = field(default_factory=Counter)
    statuses: Counter[int] = field(default_factory=Counter)
    mixed: list[tuple[str, Seen]] = field(default_factory=list)
    torn: list[tuple[str, Seen]] = field(default_factory=list)
    reseeds: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def responses(self) -> int:
        return sum(self.statuses.values())

    def summary(self) -> str:
        return (
            f"{self.responses} responses over {self.reseeds} reseeds: "
            f"{dict(self.by_version)} by version, statuses {dict(self.statuses)}, "
            f"{len(self.mixed)} mixed, {len(self.torn)} torn"
        )


def run(
    base: str,
    refs: dict[str, dict[str, Seen]],
    reseed: Callable[[str], None],
    seconds: float,
    clients: int = 6,
    reseeds: int = 3,
    at_most: float = 120,
    hold: float = 0.0,
) -> Tally:
    """Clients fetch URLS in turn while reseed(version) alternates the versions of refs: for
    `seconds` and at least `reseeds` reseeds (a busy machine seeds slower), `at_most` seconds.
    Each version stays at least `hold` seconds: a server that learns of a reseed by polling
    (PostgreSQL, every second) would otherwise miss versions whose turn falls between polls."""
    tally = Tally()
    stop = threading.Event()
    versions = list(refs)

    def client_loop(offset: int) -> None:
        with httpx.Client(base_url=base, timeout=30) as client:
            i = offset
            while not stop.is_set():
                url = URLS[i % len(URLS)]
                i += 1
                status, seen = fetch(client, url)
                with tally.lock:
                    tally.statuses[status] += 1
                    if status != 200:
                        continue
                    matched = [v for v in versions if refs[v][url] == seen]
                    if matched:
                        tally.by_version[matched[0][:12]] += 1
                    elif any(
                        refs[v][url][0] == seen[0] or refs[v][url][1] == seen[1] for v in versions
                    ):
                        tally.mixed.append((url, seen))
                    else:
                        tally.torn.append((url, seen))

    def reseed_loop() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            reseed(versions[n % len(versions)])
            tally.reseeds += 1
            stop.wait(hold)

    threads = [threading.Thread(target=client_loop, args=(k,)) for k in range(clients)]
    threads.append(threading.Thread(target=reseed_loop))
    for t in threads:
        t.start()
    started = time.monotonic()
    time.sleep(seconds)
    while tally.reseeds < reseeds and time.monotonic() - started < at_most:
        time.sleep(0.1)
    stop.set()
    for t in threads:
        t.join(60)
    return tally


def assert_never_mixed(tally: Tally) -> None:
    """The verdict, with the figures in the message either way."""
    print(tally.summary())
    assert tally.reseeds >= 3, tally.summary()
    assert len(tally.by_version) == 2, tally.summary()  # both versions were served
    assert tally.statuses.keys() == {200}, tally.summary()
    assert tally.mixed == [], tally.summary()
    assert tally.torn == [], tally.summary()
