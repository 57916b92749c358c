"""Table-driven tests of the period resolver against a publication date."""

from datetime import date

import pytest

from app.dataset.periods import PeriodError, ResolvedPeriod, resolve_period
from app.vocabulary import Precision

PUBLISHED = date(2021, 11, 9)


def p(
    expression: str,
    start: date | None,
    end: date | None,
    precision: Precision,
    label_zh: str,
    label_en: str,
) -> tuple[str, ResolvedPeriod]:
    """An expression and the period it must resolve to (positional, in reading order)."""
    return expression, ResolvedPeriod(start, end, precision, label_zh, label_en)


# Every period and date expression of the article's body (p = paragraph), then variants. The
# Chinese label is the expression as written with the dates it stands for; the English label
# says the same.
ARTICLE: list[tuple[str, ResolvedPeriod]] = [
    p(
        "过去5年",
        date(2016, 1, 1),
        date(2020, 12, 31),
        Precision.years,
        "过去5年（2016—2020年）",
        "Past five years (2016–2020)",
    ),  # p2, p23, p34
    p(
        "5年前",
        date(2016, 1, 1),
        date(2016, 12, 31),
        Precision.year,
        "5年前（2016年）",
        "Five years ago (2016)",
    ),  # p7
    p(
        "到2018年底",
        None,
        date(2018, 12, 31),
        Precision.year,
        "到2018年底",
        "By the end of 2018",
    ),  # p10
    p(
        "2020年",
        date(2020, 1, 1),
        date(2020, 12, 31),
        Precision.year,
        "2020年",
        "2020",
    ),  # p14, p22
    p(
        "2016年",
        date(2016, 1, 1),
        date(2016, 12, 31),
        Precision.year,
        "2016年",
        "2016",
    ),  # p14, p31
    p(
        "今年3月",
        date(2021, 3, 1),
        date(2021, 3, 31),
        Precision.month,
        "2021年3月",
        "March 2021",
    ),  # p29
    p(
        "一个月前",
        date(2021, 10, 1),
        date(2021, 10, 31),
        Precision.month,
        "一个月前（2021年10月）",
        "A month ago (October 2021)",
    ),  # p31
    p(
        "今年前3季度",
        date(2021, 1, 1),
        date(2021, 9, 30),
        Precision.quarters,
        "2021年前3季度（1—9月累计）",
        "First three quarters of 2021 (January–September, cumulative)",
    ),  # p31
    p(
        "目前",
        PUBLISHED,
        PUBLISHED,
        Precision.day,
        "目前（截至2021年11月9日）",
        "Currently (as of 9 November 2021)",
    ),  # p37
    p(
        "今年来",
        date(2021, 1, 1),
        PUBLISHED,
        Precision.year,
        "今年来（2021年1月1日至11月9日）",
        "This year to date (1 January to 9 November 2021)",
    ),  # p39: known to the year only
    p(
        "“十四五”",
        date(2021, 1, 1),
        date(2025, 12, 31),
        Precision.years,
        "“十四五”时期（2021—2025年）",
        "14th Five-Year Plan period (2021–2025)",
    ),  # p40
    p(
        "“十四五”开篇",
        date(2021, 1, 1),
        date(2021, 12, 31),
        Precision.year,
        "“十四五”开篇（2021年）",
        "Opening of the 14th Five-Year Plan (2021)",
    ),  # p40
    p(
        "未来5年",
        date(2021, 1, 1),
        date(2025, 12, 31),
        Precision.years,
        "未来5年（2021—2025年）",
        "Next five years (2021–2025)",
    ),  # p41
    p(
        "今年",
        date(2021, 1, 1),
        date(2021, 12, 31),
        Precision.year,
        "今年（2021年）",
        "This year (2021)",
    ),  # p43
    p(
        "前3季度",
        date(2021, 1, 1),
        date(2021, 9, 30),
        Precision.quarters,
        "2021年前3季度（1—9月累计）",
        "First three quarters of 2021 (January–September, cumulative)",
    ),  # p43
]

VARIANTS: list[tuple[str, ResolvedPeriod]] = [
    p(
        "十四五",
        date(2021, 1, 1),
        date(2025, 12, 31),
        Precision.years,
        "“十四五”时期（2021—2025年）",
        "14th Five-Year Plan period (2021–2025)",
    ),
    p(
        "十三五",
        date(2016, 1, 1),
        date(2020, 12, 31),
        Precision.years,
        "“十三五”时期（2016—2020年）",
        "13th Five-Year Plan period (2016–2020)",
    ),
    p(
        "一五",
        date(1953, 1, 1),
        date(1957, 12, 31),
        Precision.years,
        "“一五”时期（1953—1957年）",
        "1st Five-Year Plan period (1953–1957)",
    ),
    p(
        "三五",
        date(1966, 1, 1),
        date(1970, 12, 31),
        Precision.years,
        "“三五”时期（1966—1970年）",
        "3rd Five-Year Plan period (1966–1970)",
    ),
    p(
        "十五",
        date(2001, 1, 1),
        date(2005, 12, 31),
        Precision.years,
        "“十五”时期（2001—2005年）",
        "10th Five-Year Plan period (2001–2005)",
    ),
    p(
        "十四五开局",
        date(2021, 1, 1),
        date(2021, 12, 31),
        Precision.year,
        "“十四五”开局（2021年）",
        "Opening of the 14th Five-Year Plan (2021)",
    ),
    p(
        "十三五开篇",
        date(2016, 1, 1),
        date(2016, 12, 31),
        Precision.year,
        "“十三五”开篇（2016年）",
        "Opening of the 13th Five-Year Plan (2016)",
    ),
    p(
        "过去五年",
        date(2016, 1, 1),
        date(2020, 12, 31),
        Precision.years,
        "过去五年（2016—2020年）",
        "Past five years (2016–2020)",
    ),
    p(
        "未来两年",
        date(2021, 1, 1),
        date(2022, 12, 31),
        Precision.years,
        "未来两年（2021—2022年）",
        "Next two years (2021–2022)",
    ),
    p(
        "今年以来",
        date(2021, 1, 1),
        PUBLISHED,
        Precision.year,
        "今年以来（2021年1月1日至11月9日）",
        "This year to date (1 January to 9 November 2021)",
    ),
    p(
        "前三季度",
        date(2021, 1, 1),
        date(2021, 9, 30),
        Precision.quarters,
        "2021年前三季度（1—9月累计）",
        "First three quarters of 2021 (January–September, cumulative)",
    ),
    p(
        "今年前1季度",
        date(2021, 1, 1),
        date(2021, 3, 31),
        Precision.quarter,
        "2021年前1季度（1—3月）",
        "First quarter of 2021 (January–March)",
    ),
    p(
        "前2个季度",
        date(2021, 1, 1),
        date(2021, 6, 30),
        Precision.quarters,
        "2021年前2个季度（1—6月累计）",
        "First two quarters of 2021 (January–June, cumulative)",
    ),
    p(
        "截至2018年底",
        None,
        date(2018, 12, 31),
        Precision.year,
        "截至2018年底",
        "By the end of 2018",
    ),
    p(
        "２０２０年",
        date(2020, 1, 1),
        date(2020, 12, 31),
        Precision.year,
        "2020年",
        "2020",
    ),
    p(
        "2020年2月",
        date(2020, 2, 1),
        date(2020, 2, 29),
        Precision.month,
        "2020年2月",
        "February 2020",
    ),
    p(
        "今年十二月",
        date(2021, 12, 1),
        date(2021, 12, 31),
        Precision.month,
        "2021年12月",
        "December 2021",
    ),
    p(
        "3个月前",
        date(2021, 8, 1),
        date(2021, 8, 31),
        Precision.month,
        "3个月前（2021年8月）",
        "Three months ago (August 2021)",
    ),
    p(
        "一年前",
        date(2020, 1, 1),
        date(2020, 12, 31),
        Precision.year,
        "一年前（2020年）",
        "A year ago (2020)",
    ),
    p(
        "当前",
        PUBLISHED,
        PUBLISHED,
        Precision.day,
        "当前（截至2021年11月9日）",
        "Currently (as of 9 November 2021)",
    ),
]


@pytest.mark.parametrize(("expression", "expected"), ARTICLE + VARIANTS, ids=lambda v: str(v))
def test_resolve_period_against_the_article_date(expression: str, expected: ResolvedPeriod) -> None:
    assert resolve_period(expression, PUBLISHED) == expected


# The same words resolve to other dates when the document is published on another day.
RELATIVE: list[tuple[date, tuple[str, ResolvedPeriod]]] = [
    (
        date(2022, 3, 15),
        p(
            "今年",
            date(2022, 1, 1),
            date(2022, 12, 31),
            Precision.year,
            "今年（2022年）",
            "This year (2022)",
        ),
    ),
    (
        date(2022, 3, 15),
        p(
            "过去5年",
            date(2017, 1, 1),
            date(2021, 12, 31),
            Precision.years,
            "过去5年（2017—2021年）",
            "Past five years (2017–2021)",
        ),
    ),
    (
        date(2022, 3, 15),
        p(
            "未来5年",
            date(2022, 1, 1),
            date(2026, 12, 31),
            Precision.years,
            "未来5年（2022—2026年）",
            "Next five years (2022–2026)",
        ),
    ),
    (
        date(2022, 3, 15),
        p(
            "今年来",
            date(2022, 1, 1),
            date(2022, 3, 15),
            Precision.year,
            "今年来（2022年1月1日至3月15日）",
            "This year to date (1 January to 15 March 2022)",
        ),
    ),
    (
        date(2022, 1, 5),
        p(
            "一个月前",
            date(2021, 12, 1),
            date(2021, 12, 31),
            Precision.month,
            "一个月前（2021年12月）",
            "A month ago (December 2021)",
        ),
    ),
    (
        date(2022, 5, 10),
        p(
            "前1季度",
            date(2022, 1, 1),
            date(2022, 3, 31),
            Precision.quarter,
            "2022年前1季度（1—3月）",
            "First quarter of 2022 (January–March)",
        ),
    ),
    (
        date(2022, 3, 15),
        p(
            "十四五",
            date(2021, 1, 1),
            date(2025, 12, 31),
            Precision.years,
            "“十四五”时期（2021—2025年）",
            "14th Five-Year Plan period (2021–2025)",
        ),
    ),
]


@pytest.mark.parametrize(("published", "case"), RELATIVE, ids=lambda v: str(v))
def test_resolve_period_is_relative_to_the_publication_date(
    published: date, case: tuple[str, ResolvedPeriod]
) -> None:
    expression, expected = case
    assert resolve_period(expression, published) == expected


ERRORS: list[tuple[str, str]] = [
    ("", "unknown period"),
    ("明年", "unknown period"),
    ("两年", "unknown period"),  # p43 两年平均增长: a two-year average, not a resolvable period
    ("数年", "unknown period"),  # p26 短短数年
    ("2018年底", "unknown period"),
    ("今年前4季度", "had not ended"),  # Q4 2021 had not ended on 2021-11-09
    ("前5季度", "out of range"),
    ("今年13月", "out of range"),
    ("过去0年", "out of range"),
    ("十四", "unknown period"),
    ("三一五", "not an integer numeral"),
    ("开篇", "unknown period"),
    ("十四五开篇谋局", "unknown period"),
    ("新中国成立之初", "unknown period"),  # p8: its year is not in the text
    ("改革开放40年", "unknown period"),  # p34: likewise
]


@pytest.mark.parametrize(("expression", "message"), ERRORS, ids=lambda v: str(v))
def test_resolve_period_refuses_unknown_expressions(expression: str, message: str) -> None:
    with pytest.raises(PeriodError, match=message):
        resolve_period(expression, PUBLISHED)
