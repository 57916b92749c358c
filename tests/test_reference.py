"""Reference periods: when a number is true, from its basis, its kind and its written period."""

from datetime import date

import pytest

from app.dataset.periods import resolve_period
from app.dataset.reference import reference_period
from app.vocabulary import Basis, MetricKind, PeriodType, Precision

PUBLISHED = date(2021, 11, 9)
A, T = MetricKind.actual, MetricKind.target
Y = Precision.year

# (written, basis, kind) -> (type, start, end, precision)
RULES = [
    # A level reached "in the past five years" is true by the end of 2020, not in 2016.
    ("过去5年", Basis.annual, A, (PeriodType.as_of, None, date(2020, 12, 31), Y)),
    ("过去5年", Basis.stock, A, (PeriodType.as_of, None, date(2020, 12, 31), Y)),
    ("过去5年", Basis.share, A, (PeriodType.as_of, None, date(2020, 12, 31), Y)),
    # A flow, an average or a growth over the same words keeps the span.
    (
        "过去5年",
        Basis.flow,
        A,
        (PeriodType.span, date(2016, 1, 1), date(2020, 12, 31), Precision.years),
    ),
    (
        "过去5年",
        Basis.growth_average_annual,
        A,
        (PeriodType.span, date(2016, 1, 1), date(2020, 12, 31), Precision.years),
    ),
    # A level targeted for the next five years is a goal for 2025; a flow target keeps the span.
    ("未来5年", Basis.annual, T, (PeriodType.horizon, None, date(2025, 12, 31), Y)),
    ("未来5年", Basis.share, T, (PeriodType.horizon, None, date(2025, 12, 31), Y)),
    (
        "未来5年",
        Basis.flow,
        T,
        (PeriodType.span, date(2021, 1, 1), date(2025, 12, 31), Precision.years),
    ),
    # An open start or a single day is "as of" whatever the basis.
    ("到2018年底", Basis.flow, A, (PeriodType.as_of, None, date(2018, 12, 31), Y)),
    ("到2018年底", Basis.stock, A, (PeriodType.as_of, None, date(2018, 12, 31), Y)),
    ("目前", Basis.stock, A, (PeriodType.as_of, None, PUBLISHED, Precision.day)),
    # One year, quarter(s) or month: the number is for that period.
    ("2020年", Basis.annual, A, (PeriodType.span, date(2020, 1, 1), date(2020, 12, 31), Y)),
    ("2020年", Basis.rank, A, (PeriodType.span, date(2020, 1, 1), date(2020, 12, 31), Y)),
    (
        "前3季度",
        Basis.year_to_date,
        A,
        (PeriodType.span, date(2021, 1, 1), date(2021, 9, 30), Precision.quarters),
    ),
    (
        "前3季度",
        Basis.growth_yoy,
        A,
        (PeriodType.span, date(2021, 1, 1), date(2021, 9, 30), Precision.quarters),
    ),
    (
        "今年3月",
        Basis.stock,
        A,
        (PeriodType.span, date(2021, 3, 1), date(2021, 3, 31), Precision.month),
    ),
]


@pytest.mark.parametrize(("written", "basis", "kind", "expected"), RULES, ids=str)
def test_the_reference_period_follows_basis_kind_and_written_span(
    written: str, basis: Basis, kind: MetricKind, expected: tuple[object, ...]
) -> None:
    period = reference_period(resolve_period(written, PUBLISHED), written, basis, kind)
    assert (period.type, period.start, period.end, period.precision) == expected
    span = resolve_period(written, PUBLISHED)
    assert (period.written_start, period.written_end) == (span.start, span.end)
    assert period.as_written == written


def test_a_level_at_the_end_of_a_span_says_so_in_both_languages() -> None:
    period = reference_period(resolve_period("过去5年", PUBLISHED), "过去5年", Basis.annual, A)
    assert period.label.zh == "截至2020年底（过去5年，2016—2020年）"
    assert period.label.en == "By the end of 2020 (past five years, 2016–2020)"
    target = reference_period(resolve_period("未来5年", PUBLISHED), "未来5年", Basis.annual, T)
    assert target.label.zh == "到2025年（未来5年，2021—2025年）"
    assert target.label.en == "By 2025 (next five years, 2021–2025)"


@pytest.mark.parametrize(
    ("written", "zh", "en"),
    [
        (
            "前3季度",
            "2021年前3季度（1—9月累计）",
            "First three quarters of 2021 (January–September, cumulative)",
        ),
        ("2020年", "2020年", "2020"),
        ("到2018年底", "到2018年底", "By the end of 2018"),
        ("目前", "目前（截至2021年11月9日）", "Currently (as of 9 November 2021)"),
    ],
)
def test_a_span_keeps_the_written_periods_label(written: str, zh: str, en: str) -> None:
    period = reference_period(resolve_period(written, PUBLISHED), written, Basis.stock, A)
    assert (period.label.zh, period.label.en) == (zh, en)
