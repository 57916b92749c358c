"""The embeds read today's API shape and the coming one (issue 8) alike."""

from datetime import date
from typing import Any

import pytest

from app.api.embed.view import Indicator, Metric, Period, Text


def test_text_falls_back_to_the_other_language_and_says_which() -> None:
    assert Text.of({"zh": "注", "en": None}).pick("en") == ("注", "zh")
    assert Text.of({"zh": "株洲", "en": "Zhuzhou"}).pick("en") == ("Zhuzhou", "en")
    assert Text.of(None).pick("zh", "fallback") == ("fallback", "zh")


@pytest.mark.parametrize(
    ("raw", "kind", "reference", "is_span"),
    [
        # today's shape: the type is inferred
        (
            {"start": "2016-01-01", "end": "2020-12-31", "precision": "years"},
            "span",
            date(2020, 12, 31),
            True,
        ),
        (
            {"start": None, "end": "2018-12-31", "precision": "year"},
            "as_of",
            date(2018, 12, 31),
            False,
        ),
        (
            {"start": "2021-11-09", "end": "2021-11-09", "precision": "day"},
            "span",
            date(2021, 11, 9),
            False,
        ),
        # issue 8's shape: the served type wins
        (
            {
                "type": "as_of",
                "start": None,
                "end": "2020-12-31",
                "precision": "year",
                "written_start": "2016-01-01",
                "written_end": "2020-12-31",
            },
            "as_of",
            date(2020, 12, 31),
            False,
        ),
        (
            {"type": "horizon", "start": None, "end": "2025-12-31", "precision": "year"},
            "horizon",
            date(2025, 12, 31),
            False,
        ),
        (
            {"type": "span", "start": "2021-01-01", "end": "2021-09-30", "precision": "quarters"},
            "span",
            date(2021, 9, 30),
            True,
        ),
    ],
)
def test_a_period_is_placed_at_its_end_and_drawn_across_only_when_a_span(
    raw: dict[str, Any], kind: str, reference: date, is_span: bool
) -> None:
    period = Period.of(raw)
    assert period is not None
    assert (period.type, period.reference, period.is_span) == (kind, reference, is_span)


def test_the_written_span_is_kept_when_it_differs_from_the_reference_period() -> None:
    period = Period.of(
        {
            "type": "as_of",
            "start": None,
            "end": "2020-12-31",
            "precision": "year",
            "written_start": "2016-01-01",
            "written_end": "2020-12-31",
        }
    )
    assert period is not None
    assert period.written_span == (date(2016, 1, 1), date(2020, 12, 31))


def test_no_period_is_none() -> None:
    assert Period.of(None) is None
    assert Period.of({"start": None, "end": None}) is None


def summary(metric_id: str) -> dict[str, Any]:
    return {
        "id": metric_id,
        "value": 1.0,
        "value_high": None,
        "unit": "count",
        "qualifier": "exact",
        "period": None,
    }


def item(metric_id: str, subject: str) -> dict[str, Any]:
    return {
        "id": metric_id,
        "subject": subject,
        "value": 2.0,
        "unit": "water_class",
        "as_written": "Ⅱ类",
        "source": {"document": "d", "quote": "Ⅱ类"},
    }


def test_latest_from_todays_shape_names_the_single_subject() -> None:
    indicator = Indicator.of(
        {
            "id": "gdp",
            "items": [item("a", "zhuzhou")],
            "latest_actual": summary("a"),
            "latest_target": summary("t"),
        }
    )
    assert [(x.subject, x.actual, x.target) for x in indicator.latest] == [("zhuzhou", "a", "t")]


def test_latest_from_todays_shape_has_no_subject_when_several() -> None:
    indicator = Indicator.of(
        {
            "id": "w",
            "items": [item("a", "x"), item("b", "y")],
            "latest_actual": summary("b"),
            "latest_target": None,
        }
    )
    assert [(x.subject, x.actual, x.target) for x in indicator.latest] == [(None, "b", None)]


def test_latest_per_subject_from_issue_8s_shape() -> None:
    indicator = Indicator.of(
        {
            "id": "w",
            "basis": "class",
            "items": [item("a", "x"), item("b", "y")],
            "latest": [
                {"subject": "x", "actual": summary("a"), "target": None},
                {"subject": "y", "actual": summary("b"), "target": None},
            ],
        }
    )
    assert indicator.basis == "class"
    assert indicator.subjects == ("x", "y")
    assert [(x.subject, x.actual) for x in indicator.latest] == [("x", "a"), ("y", "b")]


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
