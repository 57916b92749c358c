"""The flat column plan: one declaration drives CSV columns, table rows and their values."""

import csv
import io
from datetime import date

import pytest
from pydantic import BaseModel

from app.models import (
    Bilingual,
    ChainPublic,
    DocumentPublic,
    EntityPublic,
    EventPublic,
    IndicatorPublic,
    MetricPublic,
    Period,
    SearchHit,
    Source,
)
from app.tabular import csv_columns, csv_document, csv_line, csv_plan, flatten, scalar_columns
from app.vocabulary import PeriodType, Precision


class Inner(BaseModel):
    a: str
    b: int | None


class Outer(BaseModel):
    name: str
    inner: Inner | None
    source: Source
    tags: list[str]
    id: str


@pytest.mark.parametrize(
    ("model", "first_columns"),
    [
        (MetricPublic, ["id", "indicator", "subject", "kind", "as_written"]),
        (EntityPublic, ["id", "type", "parent", "as_written", "name_zh", "name_en"]),
        (ChainPublic, ["id", "kind", "parent", "as_written", "name_zh", "name_en"]),
        (EventPublic, ["id", "title_zh", "title_en", "date_start", "date_end"]),
        (DocumentPublic, ["id", "origin", "sha256", "published", "language"]),
        (IndicatorPublic, ["id", "category", "unit", "basis", "name_zh", "name_en"]),
        (SearchHit, ["id", "type", "name_zh", "name_en", "quote", "score", "url"]),
    ],
)
def test_every_public_model_starts_with_id_then_its_fields_in_declaration_order(
    model: type[BaseModel], first_columns: list[str]
) -> None:
    assert csv_columns(model)[: len(first_columns)] == first_columns
    assert len(set(csv_columns(model))) == len(csv_columns(model)), "a column name twice"


def test_nested_fields_are_prefixed_and_source_fields_are_not() -> None:
    plan = {c.name: (c.path, c.is_list) for c in csv_plan(Outer)}
    assert plan == {
        "id": (("id",), False),
        "name": (("name",), False),
        "inner_a": (("inner", "a"), False),
        "inner_b": (("inner", "b"), False),
        "document": (("source", "document"), False),
        "paragraph": (("source", "paragraph"), False),
        "start": (("source", "start"), False),
        "end": (("source", "end"), False),
        "quote": (("source", "quote"), False),
        "tags": (("tags",), True),
    }
    assert "tags" not in scalar_columns(Outer)


def test_metric_periods_flatten_into_period_columns() -> None:
    assert [c for c in csv_columns(MetricPublic) if c.startswith("period_")] == [
        "period_type",
        "period_start",
        "period_end",
        "period_precision",
        "period_label_zh",
        "period_label_en",
        "period_as_written",
        "period_written_start",
        "period_written_end",
    ]


SOURCE = Source(document="d", paragraph=3, start=10, end=14, quote='a,"b"')


def test_flatten_gives_python_values_and_none_under_a_missing_object() -> None:
    record = Outer(name="x", inner=None, source=SOURCE, tags=["p", "q"], id="o1")
    assert flatten(record) == {
        "id": "o1",
        "name": "x",
        "inner_a": None,
        "inner_b": None,
        "document": "d",
        "paragraph": 3,
        "start": 10,
        "end": 14,
        "quote": 'a,"b"',
    }


def test_flatten_keeps_dates_as_dates() -> None:
    period = Period(
        type=PeriodType.span,
        start=date(2021, 1, 1),
        end=date(2021, 9, 30),
        precision=Precision.quarters,
        label=Bilingual(zh="前3季度", en="First three quarters of 2021"),
        as_written="前3季度",
        written_start=date(2021, 1, 1),
        written_end=date(2021, 9, 30),
    )

    class Holder(BaseModel):
        id: str
        period: Period | None

    flat = flatten(Holder(id="h", period=period))
    assert flat["period_start"] == date(2021, 1, 1)
    assert flat["period_label_en"] == "First three quarters of 2021"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (3.0, "3"),
        (2.5, "2.5"),
        (248710000000.0, "248710000000"),
        (["a", "b"], "a|b"),
        ([], ""),
        ([{"k": 1}], '[{"k":1}]'),
        ({"k": "株洲"}, '{"k":"株洲"}'),
        ("line\nbreak, comma", "line\nbreak, comma"),
    ],
)
def test_a_value_becomes_one_csv_cell_that_reads_back(value: object, cell: str) -> None:
    class One(BaseModel):
        id: str
        v: object

    line = csv_line({"id": "x", "v": value}, One)
    assert line.endswith("\r\n")
    assert next(csv.reader(io.StringIO(line))) == ["x", cell]


def test_a_csv_document_has_its_header_even_without_rows() -> None:
    assert csv_document([], SearchHit) == b"id,type,name_zh,name_en,quote,score,url\r\n"
