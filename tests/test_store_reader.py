"""The reader: each statement shape compiled once, then run as plain SQL with bound values."""

from datetime import date

from sqlalchemy import bindparam
from sqlmodel import col, select

from app.store.engines import readonly_engine
from app.store.reader import Reader
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
