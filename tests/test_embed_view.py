"""The embeds' typed views of the public JSON: periods placed, labels with a fallback."""

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.api.embed.view import Indicator, Metric, Period, Text


def test_text_falls_back_to_the_other_language_and_says_which() -> None:
    assert Text.of({"zh": "注", "en": None}).pick("en") == ("注", "zh")
    assert Text.of({"zh": "株洲", "en": "Zhuzhou"}).pick("en") == ("Zhuzhou", "en")
    assert Text.of(None).pick("zh", "fallback") == ("fallback", "zh")


def period(
    kind: str, start: str | None, end: str, precision: str, written_start: str | None = None
) -> Any:
    return {
        "type": kind,
        "start": start,
        "end": end,
        "precision": precision,
        "label": {"zh": "期", "en": "period"},
        "as_written": "x",
        "written_start": written_start or start,
        "written_end": end,
    }


@pytest.mark.parametrize(
    ("raw", "reference", "is_span"),
    [
        (period("span", "2016-01-01", "2020-12-31", "years"), date(2020, 12, 31), True),
        (period("as_of", None, "2018-12-31", "year"), date(2018, 12, 31), False),
        (period("span", "2021-11-09", "2021-11-09", "day"), date(2021, 11, 9), False),
        (
            period("as_of", None, "2020-12-31", "year", written_start="2016-01-01"),
            date(2020, 12, 31),
            False,
        ),
        (period("horizon", None, "2025-12-31", "year"), date(2025, 12, 31), False),
        (period("span", "2021-01-01", "2021-09-30", "quarters"), date(2021, 9, 30), True),
    ],
)
def test_a_period_is_placed_at_its_end_and_drawn_across_only_when_a_span(
    raw: dict[str, Any], reference: date, is_span: bool
) -> None:
    found = Period.of(raw)
    assert found is not None
    assert (found.type, found.reference, found.is_span) == (raw["type"], reference, is_span)


def test_the_written_span_is_kept_when_it_differs_from_the_reference_period() -> None:
    found = Period.of(period("as_of", None, "2020-12-31", "year", written_start="2016-01-01"))
    assert found is not None
    assert found.written_span == (date(2016, 1, 1), date(2020, 12, 31))
    same = Period.of(period("span", "2016-01-01", "2020-12-31", "years"))
    assert same is not None and same.written_span is None


def test_no_period_is_none() -> None:
    assert Period.of(None) is None


def test_every_served_metric_and_indicator_reads(client: TestClient) -> None:
    metrics = client.get("/v1/metrics", params={"limit": 500}).json()["items"]
    assert [Metric.of(m).id for m in metrics] == [m["id"] for m in metrics]
    water = Indicator.of(client.get("/v1/indicators/surface-water-quality-class").json())
    assert water.basis == "class"
    assert len(water.observations) == 4 and len(water.subjects) == 3


def test_a_metric_reads_every_field_the_renderers_use() -> None:
    metric = Metric.of(
        {
            "id": "m",
            "indicator": "i",
            "name": {"zh": "名", "en": "name"},
            "subject": "s",
            "kind": "target",
            "category": "economy",
            "value": 2,
            "value_high": 3,
            "unit": "count",
            "qualifier": "range",
            "as_written": "2至3个",
            "period": None,
            "source": {
                "document": "d",
                "paragraph": 4,
                "start": 10,
                "end": 20,
                "quote": "新增2至3个",
            },
            "note": {"en": "n", "zh": None},
        }
    )
    assert (metric.value, metric.value_high, metric.kind, metric.qualifier) == (
        2.0,
        3.0,
        "target",
        "range",
    )
    assert (metric.source.paragraph, metric.source.start, metric.source.end) == (4, 10, 20)
    assert metric.note.pick("zh") == ("n", "en")
