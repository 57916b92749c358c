"""Blocking database work in worker threads, bounded in time and in number (PostgreSQL).

A stopped or hung PostgreSQL still has its kernel acknowledge TCP, so neither TCP keepalives nor
tcp_user_timeout nor the server's statement_timeout end a read that waits on it: only the client
can stop waiting. `ThreadBound.call` waits for its thread until a deadline, then abandons it (the
thread goes on until the server answers or its socket gives up, and then runs the call's
`on_abandon`, e.g. to discard its connection) and raises `Unanswered`. Abandoned threads still
running are counted: while `limit` of them are, every new call but a cleanup is refused at once,
so a hung server holds at most `limit` threads (and their connections, plus a closing thread
each), however many requests arrive. A cleanup (closing a connection) always runs: one whose
caller stops waiting before a worker thread took it runs in a thread of its own.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

import anyio.to_thread

R = TypeVar("R")
log = logging.getLogger("app.store")


class Unanswered(RuntimeError):
    """The database did not answer in time, or too many earlier calls are still waiting on it."""


@dataclass
class _Call:
    fn: Callable[[], object]
    on_abandon: Callable[[], None] | None = None
    cleanup: bool = False
    started: bool = False
    finished: bool = False
    left: bool = False  # the caller stopped waiting


@dataclass
class ThreadBound:
    """Runs calls in worker threads: each until its deadline, at most `limit` left behind."""

    timeout: float  # seconds, when the caller gives no deadline
    limit: int
    _stuck: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def stuck(self) -> int:
        """Abandoned calls whose threads are still running."""
        return self._stuck

    async def call(
        self,
        fn: Callable[[], R],
        deadline: float | None = None,
        on_abandon: Callable[[], None] | None = None,
        cleanup: bool = False,
    ) -> R:
        """fn() in a worker thread, waited for until deadline (time.monotonic(); default: now +
        timeout); Unanswered after it, or at once while `limit` abandoned calls still run.
        A cleanup (e.g. closing a connection) is never refused and always runs: past its
        deadline, or given up before it started, it goes on in the background."""
        if self._stuck >= self.limit and not cleanup:
            raise Unanswered(f"{self._stuck} earlier reads are still waiting on the database")
        remaining = (deadline if deadline is not None else time.monotonic() + self.timeout) - (
            time.monotonic()
        )
        state = _Call(fn, on_abandon, cleanup)

        def work() -> R:
            with self._lock:
                if state.left:  # given up while it waited for a thread: nobody wants it now
                    raise Unanswered("abandoned before it started")
                state.started = True
            try:
                return fn()
            finally:
                self._finish(state)

        try:
            with anyio.move_on_after(max(0.0, remaining)):
                return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
            raise Unanswered(f"the database did not answer within {self.timeout:g} s")
        finally:
            self._leave(state)

    def _leave(self, state: _Call) -> None:
        """The caller stops waiting (answered, timed out or cancelled): a thread still running
        is abandoned, and counted until it ends; a cleanup that never started starts now."""
        with self._lock:
            state.left = True
            if state.finished or not (state.started or state.cleanup):
                return
            self._stuck += 1
            if state.started:
                return
            state.started = True
        threading.Thread(target=self._background, args=(state,), daemon=True).start()

    def _background(self, state: _Call) -> None:
        """A cleanup its caller no longer waits for, in a thread of its own."""
        try:
            state.fn()
        except Exception as exc:  # nobody waits for it any more: say so, once
            log.warning("a cleanup left to the background failed: %s", exc)
        finally:
            self._finish(state)

    def _finish(self, state: _Call) -> None:
        """In the thread, as it ends: an abandoned call is uncounted and cleans up."""
        with self._lock:
            state.finished = True
            if not state.left:
                return
            self._stuck -= 1
        if state.on_abandon is not None:
            state.on_abandon()
