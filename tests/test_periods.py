"""Table-driven tests of the period resolver against a publication date."""

from datetime import date

import pytest

from app.dataset.periods import Period, PeriodError, Precision, resolve_period

PUBLISHED = date(2021, 11, 9)


def p(
    label_zh: str, start: date | None, end: date | None, precision: Precision, label_en: str
) -> Period:
    """Build an expected period (positional, in reading order)."""
    return Period(start, end, precision, label_zh, label_en)


# Every period and date expression of the article's body (p = paragraph), then variants.
ARTICLE: list[Period] = [
    p("过去5年", date(2016, 1, 1), date(2020, 12, 31), "years", "Past five years (2016–2020)"),
    p("5年前", date(2016, 1, 1), date(2016, 12, 31), "year", "Five years ago (2016)"),  # p7
    p("到2018年底", None, date(2018, 12, 31), "year", "By the end of 2018"),  # p10
    p("2020年", date(2020, 1, 1), date(2020, 12, 31), "year", "2020"),  # p14, p22
    p("2016年", date(2016, 1, 1), date(2016, 12, 31), "year", "2016"),  # p14, p31
    p("今年3月", date(2021, 3, 1), date(2021, 3, 31), "month", "March 2021"),  # p29
    p("一个月前", date(2021, 10, 1), date(2021, 10, 31), "month", "A month ago (October 2021)"),
    p(
        "今年前3季度",
        date(2021, 1, 1),
        date(2021, 9, 30),
        "quarter",
        "First three quarters of 2021",
    ),
    p("目前", PUBLISHED, PUBLISHED, "day", "Currently (as of 9 November 2021)"),  # p37
    p(
        "今年来",
        date(2021, 1, 1),
        PUBLISHED,
        "day",
        "This year to date (1 January to 9 November 2021)",
    ),  # p39
    p(
        "“十四五”",
        date(2021, 1, 1),
        date(2025, 12, 31),
        "years",
        "14th Five-Year Plan period (2021–2025)",
    ),  # p40
    p(
        "“十四五”开篇",
        date(2021, 1, 1),
        date(2021, 12, 31),
        "year",
        "Opening of the 14th Five-Year Plan (2021)",
    ),  # p40 “十四五”开篇谋局,株洲提出…
    p("未来5年", date(2021, 1, 1), date(2025, 12, 31), "years", "Next five years (2021–2025)"),
    p("今年", date(2021, 1, 1), date(2021, 12, 31), "year", "This year (2021)"),  # p43
    p("前3季度", date(2021, 1, 1), date(2021, 9, 30), "quarter", "First three quarters of 2021"),
]

VARIANTS: list[Period] = [
    p(
        "十四五",
        date(2021, 1, 1),
        date(2025, 12, 31),
        "years",
        "14th Five-Year Plan period (2021–2025)",
    ),
    p(
        "十三五",
        date(2016, 1, 1),
        date(2020, 12, 31),
        "years",
        "13th Five-Year Plan period (2016–2020)",
    ),
    p(
        "一五",
        date(1953, 1, 1),
        date(1957, 12, 31),
        "years",
        "1st Five-Year Plan period (1953–1957)",
    ),
    p(
        "三五",
        date(1966, 1, 1),
        date(1970, 12, 31),
        "years",
        "3rd Five-Year Plan period (1966–1970)",
    ),
    p(
        "十五",
        date(2001, 1, 1),
        date(2005, 12, 31),
        "years",
        "10th Five-Year Plan period (2001–2005)",
    ),
    p(
        "十四五开局",
        date(2021, 1, 1),
        date(2021, 12, 31),
        "year",
        "Opening of the 14th Five-Year Plan (2021)",
    ),
    p(
        "十三五开篇",
        date(2016, 1, 1),
        date(2016, 12, 31),
        "year",
        "Opening of the 13th Five-Year Plan (2016)",
    ),
    p("过去五年", date(2016, 1, 1), date(2020, 12, 31), "years", "Past five years (2016–2020)"),
    p("未来两年", date(2021, 1, 1), date(2022, 12, 31), "years", "Next two years (2021–2022)"),
    p(
        "今年以来",
        date(2021, 1, 1),
        PUBLISHED,
        "day",
        "This year to date (1 January to 9 November 2021)",
    ),
    p("前三季度", date(2021, 1, 1), date(2021, 9, 30), "quarter", "First three quarters of 2021"),
    p("今年前1季度", date(2021, 1, 1), date(2021, 3, 31), "quarter", "First quarter of 2021"),
    p("前2个季度", date(2021, 1, 1), date(2021, 6, 30), "quarter", "First two quarters of 2021"),
    p("截至2018年底", None, date(2018, 12, 31), "year", "By the end of 2018"),
    p("２０２０年", date(2020, 1, 1), date(2020, 12, 31), "year", "2020"),
    p("2020年2月", date(2020, 2, 1), date(2020, 2, 29), "month", "February 2020"),
    p("今年十二月", date(2021, 12, 1), date(2021, 12, 31), "month", "December 2021"),
    p("3个月前", date(2021, 8, 1), date(2021, 8, 31), "month", "Three months ago (August 2021)"),
    p("一年前", date(2020, 1, 1), date(2020, 12, 31), "year", "A year ago (2020)"),
    p("当前", PUBLISHED, PUBLISHED, "day", "Currently (as of 9 November 2021)"),
]


@pytest.mark.parametrize("expected", ARTICLE + VARIANTS, ids=lambda v: v.label_zh)
def test_resolve_period_against_the_article_date(expected: Period) -> None:
    assert resolve_period(expected.label_zh, PUBLISHED) == expected


# The same words resolve to other dates when the document is published on another day.
RELATIVE: list[tuple[date, Period]] = [
    (
        date(2022, 3, 15),
        p("今年", date(2022, 1, 1), date(2022, 12, 31), "year", "This year (2022)"),
    ),
    (
        date(2022, 3, 15),
        p("过去5年", date(2017, 1, 1), date(2021, 12, 31), "years", "Past five years (2017–2021)"),
    ),
    (
        date(2022, 3, 15),
        p("未来5年", date(2022, 1, 1), date(2026, 12, 31), "years", "Next five years (2022–2026)"),
    ),
    (
        date(2022, 3, 15),
        p(
            "今年来",
            date(2022, 1, 1),
            date(2022, 3, 15),
            "day",
            "This year to date (1 January to 15 March 2022)",
        ),
    ),
    (
        date(2022, 1, 5),
        p(
            "一个月前",
            date(2021, 12, 1),
            date(2021, 12, 31),
            "month",
            "A month ago (December 2021)",
        ),
    ),
    (
        date(2022, 5, 10),
        p("前1季度", date(2022, 1, 1), date(2022, 3, 31), "quarter", "First quarter of 2022"),
    ),
    (
        date(2022, 3, 15),
        p(
            "十四五",
            date(2021, 1, 1),
            date(2025, 12, 31),
            "years",
            "14th Five-Year Plan period (2021–2025)",
        ),
    ),
]


@pytest.mark.parametrize(("published", "expected"), RELATIVE, ids=lambda v: str(v))
def test_resolve_period_is_relative_to_the_publication_date(
    published: date, expected: Period
) -> None:
    assert resolve_period(expected.label_zh, published) == expected


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
