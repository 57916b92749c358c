"""The reader: each statement shape compiled once, then run as plain SQL with bound values; on
PostgreSQL a request waits on the server until one deadline, closing its connection included."""

import threading
import time
from collections.abc import Callable
from datetime import date

import anyio
from sqlalchemy import bindparam, create_engine
from sqlmodel import col, select

from app.store.engines import readonly_engine
from app.store.reader import DatasetUnavailable, Reader, Snapshot, snapshot
from app.store.tables import Metric


def test_a_shape_is_compiled_once_and_serves_every_value(seeded_db: tuple[str, object]) -> None:
    url, _ = seeded_db
    reader = Reader(readonly_engine(url))
    builds = 0

    def statement() -> object:
        nonlocal builds
        builds += 1
        return (
            select(Metric.id)
            .where(col(Metric.indicator) == bindparam("ind"))
            .order_by(col(Metric.id))
        )

    gdp = reader.rows("by-indicator", statement, {"ind": "gdp"})  # type: ignore[arg-type]
    growth = reader.rows("by-indicator", statement, {"ind": "gdp-growth"})  # type: ignore[arg-type]
    assert builds == 1
    assert gdp and growth and set(gdp).isdisjoint(growth)
    assert gdp == sorted(gdp)
    assert list(reader._compiled) == ["by-indicator"]


def test_literals_in_a_statement_keep_their_values_and_dates_bind_as_iso_text(
    seeded_db: tuple[str, object],
) -> None:
    url, _ = seeded_db
    reader = Reader(readonly_engine(url))

    def statement() -> object:
        return select(Metric.id).where(
            col(Metric.kind) == "target", col(Metric.period_end) >= bindparam("day")
        )

    found = reader.rows("targets-after", statement, {"day": date(2025, 1, 1)})  # type: ignore[arg-type]
    assert {r[0] for r in found} >= {"target-gdp"}
    assert reader.scalar("none", lambda: select(Metric.id).where(col(Metric.id) == "nope")) is None
    assert (
        reader.text("one", lambda: select(Metric.value).where(col(Metric.id) == "target-gdp"))
        == "500000000000.0"
    )


# On PostgreSQL a request waits on the server until one deadline in all: its reads and closing
# its connection. Here the "server" is an Event a read or a close waits on.
TIMEOUT = 1.0
WITHIN = TIMEOUT + 0.3  # the old code waited a second full TIMEOUT for the close


class FakeConnection:
    """Records what is done to it; close() waits for `closable` (a hung server's ROLLBACK)."""

    def __init__(self) -> None:
        self.done: list[str] = []
        self.closable = threading.Event()
        self.closable.set()

    def invalidate(self) -> None:
        self.done.append("invalidate")

    def close(self) -> None:
        self.closable.wait()
        self.done.append("close")


def pg_reader() -> Reader:
    """A PostgreSQL reader that never connects: the tests' reads set its connection."""
    return Reader(create_engine("postgresql+psycopg://nobody@127.0.0.1:9/none"), timeout=TIMEOUT)


def request(reader: Reader, *reads: Callable[[Snapshot], object]) -> float:
    """Seconds one request took to run its reads (a 503 once one is given up on) and leave its
    snapshot."""

    async def main() -> None:
        async with snapshot() as pinned:
            for read in reads:
                try:
                    await reader.run(lambda _, read=read: read(pinned))  # type: ignore[misc]
                except DatasetUnavailable:
                    continue

    started = time.monotonic()
    anyio.run(main)
    return time.monotonic() - started


def opens(
    reader: Reader, conn: FakeConnection, then: Callable[[], object]
) -> Callable[[Snapshot], object]:
    """A read that takes conn as its snapshot's connection, then waits on then()."""

    def read(pinned: Snapshot) -> object:
        pinned.reader, pinned.conn = reader, conn  # type: ignore[assignment]
        return then()

    return read


def settles(check: Callable[[], bool]) -> bool:
    deadline = time.monotonic() + 5
    while not check() and time.monotonic() < deadline:
        time.sleep(0.01)
    return check()


def test_a_read_given_up_on_ends_the_request_and_its_thread_discards_the_connection() -> None:
    reader, conn, server = pg_reader(), FakeConnection(), threading.Event()
    took = request(reader, opens(reader, conn, server.wait), lambda _: "never runs")
    assert TIMEOUT <= took < WITHIN
    assert conn.done == []  # the hung read still holds it
    server.set()
    assert settles(lambda: conn.done == ["invalidate", "close"])  # never pooled as healthy
    assert settles(lambda: reader.bound.stuck == 0)


def test_closing_the_connection_waits_only_for_what_is_left_of_the_deadline() -> None:
    reader, conn = pg_reader(), FakeConnection()
    conn.closable.clear()  # the server hangs after the reads answered
    took = request(reader, opens(reader, conn, lambda: time.sleep(TIMEOUT * 0.6)))
    assert TIMEOUT <= took < WITHIN
    conn.closable.set()
    assert settles(lambda: conn.done == ["close"])  # answered reads: the connection is sound


def test_a_connection_is_closed_even_when_the_reads_used_up_the_deadline() -> None:
    reader, conn = pg_reader(), FakeConnection()

    def until_the_deadline(pinned: Snapshot) -> None:
        pinned.reader, pinned.conn = reader, conn  # type: ignore[assignment]
        assert pinned.deadline is not None
        time.sleep(max(0.0, pinned.deadline - time.monotonic() - 0.01))

    took = request(reader, until_the_deadline)
    assert took < WITHIN
    assert settles(lambda: conn.done[-1:] == ["close"])  # discarded first if the read was late
