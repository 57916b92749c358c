"""Fault episodes: logged once when reads start failing and once when the dataset is healthy again.

An episode starts with the first read that fails. A read that succeeds does not end it: under
partial damage (one table unreadable, the others fine) reads alternate between failing and
succeeding, and each success would log a recovery, each next failure a new fault. A success only
asks for a readiness check (the one /readyz reports: schema at head, a version, every table
answering, SQLite's integrity probe), in a thread of its own, at most once per interval; the
episode ends when such a check passes and no read failed while it ran (README, "Guarantees").
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger("app.store")


def cause_of(exc: BaseException) -> str:
    """The exception's type and message, the driver's where it has one."""
    return f"{type(exc).__name__}: {getattr(exc, 'orig', None) or exc}".strip()


@dataclass
class FaultLog:
    """The current fault episode of one dataset (None: healthy), and its two log lines.

    `recheck` runs a readiness check, which calls `healed` when it passes.
    """

    where: str  # the database, password hidden
    recheck: Callable[[], object]
    interval: float = 1.0  # seconds between rechecks asked for by successful reads
    fault: str | None = None
    _failures: int = 0  # reads failed so far: a check that saw any during its run proves nothing
    _checking: bool = False
    _checked_at: float = field(default=float("-inf"))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def failed(self, exc: BaseException) -> None:
        """A read failed: start an episode (logged) unless one is under way."""
        cause = cause_of(exc)
        with self._lock:
            self._failures += 1
            starts = self.fault is None
            self.fault = cause
        if starts:
            log.warning("dataset unavailable at %s (%s); answering 503", self.where, cause)

    def read_ok(self) -> None:
        """A read succeeded during an episode: check readiness, in the background, at most once
        per interval and one check at a time."""
        now = time.monotonic()
        with self._lock:
            if self.fault is None or self._checking or now - self._checked_at < self.interval:
                return
            self._checking, self._checked_at = True, now
        threading.Thread(target=self._check, name="dataset-recheck", daemon=True).start()

    def _check(self) -> None:
        try:
            self.recheck()
        except Exception:  # a check that cannot run leaves the episode open
            log.debug("readiness recheck failed", exc_info=True)
        finally:
            with self._lock:
                self._checking = False

    def mark(self) -> int:
        """Taken before a readiness check: what `healed` compares with."""
        return self._failures

    def healed(self, mark: int, version: str | None) -> None:
        """A readiness check that began at mark passed: end the episode (logged), unless a read
        failed meanwhile."""
        with self._lock:
            if self.fault is None or self._failures != mark:
                return
            self.fault = None
        log.warning("dataset readable again (version %s)", (version or "none")[:12])
