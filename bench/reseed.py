"""A reseed seen through the cache in front: our server with a short CACHE_MAX_AGE behind
deploy/'s nginx, its database reseeded with another dataset, and the time until nginx answers
with the new version (its ETag), against max-age."""

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from scenarios import fetch

POLL_S = 0.02  # seconds between two looks (through nginx, at the server, at the file)
STORED = {"MISS", "EXPIRED", "REVALIDATED"}  # X-Cache-Status of a response nginx (re)stored
AFTER_S = 1.0  # seconds to keep looking once the new version showed: it must not flip back


@dataclass
class Cycle:
    """One reseed, seconds from the moment the new file replaced the old one (its inode changed).

    age_s: how long nginx had held its entry then (since it stored or revalidated it);
    delay_s: until nginx's first answer with the new ETag (None: not within the time allowed);
    direct_s: the same, asking our server directly; flips: old answers after the first new one.
    """

    dataset: str
    seed_s: float
    age_s: float | None
    delay_s: float | None
    direct_s: float | None
    flips: int


@dataclass
class Reseeds:
    """The demonstration: what was asked, through what, and each cycle."""

    max_age: int
    path: str
    cycles: list[Cycle] = field(default_factory=list)


@dataclass
class _Look:
    t: float
    proxy_etag: str | None
    cache_status: str | None
    direct_etag: str | None
    inode: int


class _Watcher(threading.Thread):
    """Looks every POLL_S at nginx, our server and the database file until stopped."""

    def __init__(self, proxy_port: int, app_port: int, path: str, db: Path) -> None:
        super().__init__(daemon=True)
        self.ports, self.path, self.db = (proxy_port, app_port), path, db
        self.looks: list[_Look] = []
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            via_etag, status = self._ask(self.ports[0])
            t = time.monotonic()  # when nginx answered; the file is looked at after
            direct_etag, _ = self._ask(self.ports[1])
            try:
                inode = os.stat(self.db).st_ino
            except OSError:
                inode = 0
            self.looks.append(_Look(t, via_etag, status, direct_etag, inode))
            self.stop.wait(POLL_S)

    def _ask(self, port: int) -> tuple[str | None, str | None]:
        """The ETag and X-Cache-Status of a 200 (None for anything else)."""
        try:
            f = fetch(port, self.path)
        except OSError:
            return None, None
        return (f.header("etag"), f.header("x-cache-status")) if f.status == 200 else (None, None)


def _wait(until: Callable[[], bool], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if until():
            return True
        time.sleep(POLL_S)
    return False


def _cycle(w: _Watcher, dataset: str, reseed: Callable[[], object], max_age: int) -> Cycle:
    begin = len(w.looks)  # this cycle's looks start here; the earlier ones show what nginx stored
    cached = lambda: len(w.looks) > begin and w.looks[-1].cache_status == "HIT"  # noqa: E731
    if not _wait(cached, 2 * max_age + 5):
        raise RuntimeError("nginx never answered from its cache before the reseed")
    old, inode = w.looks[-1].proxy_etag, w.looks[-1].inode
    t0 = time.monotonic()
    reseed()
    seed_s = time.monotonic() - t0
    # nginx keeps time in whole seconds: an entry may live up to max-age + 1 s.
    _wait(lambda: w.looks[-1].proxy_etag not in (old, None), max_age + 5)
    looks = w.looks[begin:]
    seen = next((k.t for k in looks if k.inode != inode and k.proxy_etag not in (old, None)), None)
    if seen is not None:
        _wait(lambda: w.looks[-1].t > seen + AFTER_S, AFTER_S + 5)
    looks = w.looks[begin:]
    swap = next((k.t for k in looks if k.inode != inode), None)
    if swap is None:
        raise RuntimeError(f"reseeding with {dataset} did not replace the database file")
    stored = [k.t for k in w.looks if k.t <= swap and k.cache_status in STORED]
    direct = next((k.t for k in looks if k.t >= swap and k.direct_etag not in (old, None)), None)
    return Cycle(
        dataset=dataset,
        seed_s=seed_s,
        age_s=swap - stored[-1] if stored else None,
        delay_s=None if seen is None else seen - swap,
        direct_s=None if direct is None else direct - swap,
        flips=0 if seen is None else sum(k.t > seen and k.proxy_etag == old for k in looks),
    )


def demonstrate(
    proxy_port: int,
    app_port: int,
    db: Path,
    path: str,
    datasets: list[tuple[str, Callable[[], object]]],
    max_age: int,
) -> Reseeds:
    """Reseed db with each dataset in turn (name, the seed call) while watching path through
    nginx and directly; each cycle waits for the cache to hold the current version first."""
    out = Reseeds(max_age, path)
    w = _Watcher(proxy_port, app_port, path, db)
    w.start()
    try:
        for name, reseed in datasets:
            out.cycles.append(_cycle(w, name, reseed, max_age))
    finally:
        w.stop.set()
        w.join(timeout=10)
    return out
