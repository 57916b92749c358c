"""Quantities and periods in words, table-driven, in zh and en."""

from typing import Any

import pytest

from app.api.embed import numbers
from app.api.embed.view import Metric, Period


def metric(
    value: float,
    unit: str,
    qualifier: str = "exact",
    as_written: str = "",
    value_high: float | None = None,
) -> Metric:
    return Metric.of(
        {
            "id": "m",
            "indicator": "i",
            "name": {"zh": "名", "en": "name"},
            "subject": "s",
            "kind": "actual",
            "category": "economy",
            "period": None,
            "note": None,
            "value": value,
            "value_high": value_high,
            "unit": unit,
            "qualifier": qualifier,
            "as_written": as_written,
            "source": {"document": "d", "paragraph": 1, "start": 0, "end": 1, "quote": as_written},
        }
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (248710000000.0, "248,710,000,000"),
        (15.15, "15.15"),
        (7.0, "7"),
        (28.1, "28.1"),
        (87385000000.0, "87,385,000,000"),
        (0.5, "0.5"),
    ],
)
def test_plain_numbers_have_separators_and_no_float_noise(value: float, text: str) -> None:
    assert numbers.plain_number(value) == text


CASES: list[tuple[Metric, str, str, str]] = [
    # metric, normalised zh, normalised en, readable en
    (
        metric(248710000000.0, "CNY", as_written="2487.1亿元"),
        "248,710,000,000元",
        "248,710,000,000 CNY",
        "248.71 billion yuan",
    ),
    (
        metric(300000000000.0, "CNY", "more_than", "突破3000亿元"),
        "超过300,000,000,000元",
        "more than 300,000,000,000 CNY",
        "more than 300 billion yuan",
    ),
    (
        metric(500000000000.0, "CNY", "at_least", "迈上5000亿元台阶"),
        "500,000,000,000元以上",
        "at least 500,000,000,000 CNY",
        "at least 500 billion yuan",
    ),
    (
        metric(100.0, "rank", "at_most", "百强"),
        "前100名以内",
        "within the top 100",
        "within the top 100",
    ),
    (metric(10.0, "rank", as_written="全国第十"), "第10名", "No. 10", "No. 10"),
    (metric(2.0, "count", "range", "2至3个", value_high=3.0), "2至3", "2–3", "2–3"),
    (metric(2.0, "water_class", as_written="Ⅱ类"), "Ⅱ类", "class Ⅱ", "class Ⅱ"),
    (
        metric(10000.0, "USD", "more_than", "突破1万美元"),
        "超过10,000美元",
        "more than 10,000 USD",
        "more than 10,000 US dollars",
    ),
    (metric(317.0, "day", as_written="317天"), "317天", "317 days", "317 days"),
    (metric(15.15, "km2", as_written="15.15平方公里"), "15.15平方公里", "15.15 km²", "15.15 km²"),
    (metric(3.0, "percent", "more_than", "超过3%"), "超过3%", "more than 3%", "more than 3%"),
    (
        metric(4390000000.0, "CNY", as_written="43.9亿"),
        "4,390,000,000元",
        "4,390,000,000 CNY",
        "4.39 billion yuan",
    ),
    # The source's decimal places stay in the reading (not in the normalised value).
    (metric(7.0, "percent", as_written="7.0%"), "7%", "7%", "7.0%"),
    (metric(15.15, "km2", as_written="15.15平方公里"), "15.15平方公里", "15.15 km²", "15.15 km²"),
    (metric(9.9, "percent", as_written="9.9%"), "9.9%", "9.9%", "9.9%"),
    (metric(2.0, "count", "range", "2.0至3个", 3.0), "2至3", "2–3", "2.0–3"),
    (
        metric(30.0, "percent", "more_than", "超过30.00%"),
        "超过30%",
        "more than 30%",
        "more than 30.00%",
    ),
]


@pytest.mark.parametrize(("m", "zh", "en", "readable_en"), CASES)
def test_values_in_words(m: Metric, zh: str, en: str, readable_en: str) -> None:
    assert numbers.normalised(m, "zh") == zh
    assert numbers.normalised(m, "en") == en
    assert numbers.readable(m, "en") == readable_en
    assert numbers.readable(m, "zh") == m.as_written  # the source's own words


@pytest.mark.parametrize(
    ("qualifier", "unit", "zh", "en"),
    [
        ("more_than", "count", "超过", "more than"),
        ("at_least", "CNY", "以上", "at least"),
        ("at_most", "rank", "前100名以内", "within the top 100"),
        ("approximately", "count", "约", "about"),
        ("exact", "count", "确数", "exact"),
    ],
)
def test_qualifiers_in_words(qualifier: str, unit: str, zh: str, en: str) -> None:
    m = metric(100.0, unit, qualifier)
    assert (numbers.qualifier_words(m, "zh"), numbers.qualifier_words(m, "en")) == (zh, en)


def test_a_range_qualifier_says_both_ends() -> None:
    m = metric(2.0, "count", "range", value_high=3.0)
    assert numbers.qualifier_words(m, "en") == "a range, 2–3"
    assert numbers.qualifier_words(m, "zh") == "区间：2至3"


def test_compact_english_uses_symbols_for_badges() -> None:
    assert numbers.readable(metric(3e11, "CNY", "more_than"), "en", compact=True) == (
        "> 300 billion yuan"
    )
    assert numbers.readable(metric(5e11, "CNY", "at_least"), "en", compact=True) == (
        "≥ 500 billion yuan"
    )


def served(raw: dict[str, Any]) -> Period:
    """A period in the served shape: the type of an open start is `as_of`, else `span`."""
    kind = raw.get("type") or ("as_of" if raw["start"] is None else "span")
    found = Period.of(
        {
            "label": {"zh": "", "en": ""},
            "as_written": "",
            "written_start": raw["start"],
            "written_end": raw["end"],
        }
        | raw
        | {"type": kind}
    )
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("raw", "zh", "en"),
    [
        (
            {"start": "2016-01-01", "end": "2020-12-31", "precision": "years"},
            "2016–2020年",
            "2016–2020",
        ),
        (
            {"start": "2021-01-01", "end": "2021-09-30", "precision": "quarter"},
            "2021年第1–3季度",
            "Q1–Q3 2021",
        ),
        (
            {"start": "2021-01-01", "end": "2021-09-30", "precision": "quarters"},
            "2021年第1–3季度",
            "Q1–Q3 2021",
        ),
        (
            {"start": "2021-03-01", "end": "2021-03-31", "precision": "month"},
            "2021年3月",
            "2021-03",
        ),
        (
            {"start": None, "end": "2018-12-31", "precision": "year"},
            "截至2018年底",
            "by the end of 2018",
        ),
        (
            {"type": "horizon", "start": None, "end": "2025-12-31", "precision": "year"},
            "到2025年",
            "by 2025",
        ),
        (
            {"start": "2021-11-09", "end": "2021-11-09", "precision": "day"},
            "2021年11月9日",
            "2021-11-09",
        ),
    ],
)
def test_period_dates_in_words(raw: dict[str, Any], zh: str, en: str) -> None:
    period = served(raw)
    assert period is not None
    assert (numbers.period_dates(period, "zh"), numbers.period_dates(period, "en")) == (zh, en)


def test_the_label_is_the_apis() -> None:
    labelled = served(
        {
            "start": "2016-01-01",
            "end": "2020-12-31",
            "precision": "years",
            "label": {"zh": "过去5年", "en": "Past five years (2016–2020)"},
        }
    )
    assert numbers.period_label(labelled, "zh") == "过去5年"
    assert numbers.period_label(labelled, "en") == "Past five years (2016–2020)"


@pytest.mark.parametrize(
    ("unit", "lang", "divisor", "label", "reverse"),
    [
        ("CNY", "zh", 1e8, "亿元", False),
        ("CNY", "en", 1e9, "billion yuan", False),
        ("rank", "en", 1, "rank (1 = first)", True),
        ("water_class", "zh", 1, "水质类别（Ⅰ类最好）", True),
    ],
)
def test_axes(unit: str, lang: Any, divisor: float, label: str, reverse: bool) -> None:
    axis = numbers.axis(unit, lang)
    assert (axis.divisor, axis.label, axis.reverse) == (divisor, label, reverse)
