"""Every record table is its public model's flat columns plus declared storage-only columns."""

import pytest
from sqlmodel import SQLModel

from app.dataset.build import BuiltDataset
from app.dataset.rendering import dump, row_of
from app.models import (
    ChainPublic,
    DocumentPublic,
    EntityPublic,
    EventPublic,
    IndicatorPublic,
    MetricPublic,
    ParagraphPublic,
)
from app.store.tables import (
    PUBLIC_ONLY,
    STORAGE_ONLY,
    Document,
    Entity,
    Event,
    Indicator,
    IndustryChain,
    Metric,
    Paragraph,
)
from app.tabular import scalar_columns

TABLES: list[tuple[type[SQLModel], type[SQLModel]]] = [
    (Metric, MetricPublic),
    (Indicator, IndicatorPublic),
    (IndustryChain, ChainPublic),
    (Event, EventPublic),
    (Entity, EntityPublic),
    (Document, DocumentPublic),
    (Paragraph, ParagraphPublic),
]


def test_every_table_with_storage_only_columns_is_checked_here() -> None:
    assert set(STORAGE_ONLY) == {table for table, _ in TABLES}
    assert set(PUBLIC_ONLY) <= set(STORAGE_ONLY)


@pytest.mark.parametrize(("table", "public"), TABLES, ids=lambda v: v.__name__)
def test_a_tables_columns_are_the_plans_scalar_columns_plus_the_storage_only_ones(
    table: type[SQLModel], public: type[SQLModel]
) -> None:
    columns = {c.name for c in table.__table__.columns}  # type: ignore[attr-defined]
    planned = set(scalar_columns(public)) - PUBLIC_ONLY.get(table, frozenset())
    assert columns == planned | STORAGE_ONLY[table]
    assert not planned & STORAGE_ONLY[table], "a storage-only column is also a public one"
    assert PUBLIC_ONLY.get(table, frozenset()) <= set(scalar_columns(public))


@pytest.mark.parametrize(
    ("table", "records"),
    [
        (Metric, "metrics"),
        (Indicator, "indicators"),
        (IndustryChain, "chains"),
        (Event, "events"),
        (Entity, "entities"),
    ],
)
def test_each_row_stores_its_records_json_and_flat_values(
    built: BuiltDataset, table: type[SQLModel], records: str
) -> None:
    stored = {r.id: r for r in built.rows if isinstance(r, table)}  # type: ignore[attr-defined]
    public = getattr(built.records, records)
    assert public and set(stored) == {r.id for r in public}
    for record in public:
        row = stored[record.id]
        assert row.payload == dump(record)  # type: ignore[attr-defined]
        again = row_of(
            table,
            record,
            **{k: getattr(row, k) for k in STORAGE_ONLY[table] - {"payload", "csv_row"}},
        )
        assert again.model_dump() == row.model_dump()
