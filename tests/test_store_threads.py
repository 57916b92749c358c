"""Worker-thread calls are waited for until a deadline, and the threads left behind are
counted: at the limit, new calls are refused at once; each cleans up when it ends."""

import threading
import time

import anyio
import pytest

from app.store.threads import ThreadBound, Unanswered


def test_a_call_that_answers_in_time_returns_its_value() -> None:
    bound = ThreadBound(timeout=5.0, limit=2)
    assert anyio.run(bound.call, lambda: 42) == 42
    assert bound.stuck == 0


def test_a_call_that_hangs_is_given_up_at_its_deadline_and_cleans_up_when_it_ends() -> None:
    bound = ThreadBound(timeout=0.2, limit=2)
    release, cleaned = threading.Event(), threading.Event()

    async def main() -> None:
        with pytest.raises(Unanswered, match=r"did not answer within 0\.2 s"):
            await bound.call(release.wait, on_abandon=cleaned.set)

    anyio.run(main)  # returns although the thread still waits
    assert bound.stuck == 1 and not cleaned.is_set()
    release.set()
    assert cleaned.wait(5)
    assert bound.stuck == 0


def test_at_the_limit_of_abandoned_threads_a_call_is_refused_at_once() -> None:
    bound = ThreadBound(timeout=0.1, limit=2)
    release = threading.Event()
    ran: list[int] = []

    async def main() -> None:
        for _ in range(2):
            with pytest.raises(Unanswered):
                await bound.call(release.wait)
        started = time.monotonic()
        with pytest.raises(Unanswered, match="2 earlier reads are still waiting"):
            await bound.call(lambda: ran.append(1), deadline=time.monotonic() + 60)
        assert time.monotonic() - started < 1  # not the 60 s deadline
        assert ran == []

    try:
        anyio.run(main)
    finally:
        release.set()
    deadline = time.monotonic() + 5
    while bound.stuck and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bound.stuck == 0
    assert anyio.run(bound.call, lambda: "again") == "again"


def test_a_call_past_its_deadline_never_starts() -> None:
    bound = ThreadBound(timeout=5.0, limit=2)
    ran: list[int] = []

    async def main() -> None:
        with pytest.raises(Unanswered):
            await bound.call(lambda: ran.append(1), deadline=time.monotonic() - 1)

    anyio.run(main)
    time.sleep(0.1)
    assert ran == [] and bound.stuck == 0


def test_a_cleanup_is_run_even_at_the_limit() -> None:
    bound = ThreadBound(timeout=0.1, limit=1)
    release = threading.Event()

    async def main() -> str:
        with pytest.raises(Unanswered):
            await bound.call(release.wait)
        return await bound.call(lambda: "closed", cleanup=True)

    try:
        assert anyio.run(main) == "closed"
    finally:
        release.set()


def test_a_cleanup_past_its_deadline_is_not_waited_for_but_still_runs() -> None:
    bound = ThreadBound(timeout=5.0, limit=2)
    ran = threading.Event()

    async def main() -> None:
        with pytest.raises(Unanswered):
            await bound.call(ran.set, deadline=time.monotonic() - 1, cleanup=True)

    anyio.run(main)
    assert ran.wait(5)
    deadline = time.monotonic() + 5
    while bound.stuck and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bound.stuck == 0
