"""Resolve a verbatim Chinese period expression to dates, relative to the publication date.

A resolved period is the span the expression names, with a label in Chinese and in English that
say the same thing (the expression and the dates it stands for). What a number's reference
period is, given that span, is decided by app/dataset/reference.py.
"""

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from app.dataset.quantity import QuantityError, parse_integer
from app.vocabulary import Precision

# The rules, with P = the publication date and Y = its year (N: Arabic or Chinese numeral).
#
# | expression              | start           | end                    | precision          |
# | ----------------------- | --------------- | ---------------------- | ------------------ |
# | 今年                    | Y-01-01         | Y-12-31                | year               |
# | 今年来, 今年以来         | Y-01-01         | P                      | year               |
# | 前N季度, 今年前N季度     | Y-01-01         | last day of quarter N  | quarter, quarters  |
# | YYYY年                  | YYYY-01-01      | YYYY-12-31             | year               |
# | 到/截至YYYY年底          | None            | YYYY-12-31             | year               |
# | 过去N年                 | (Y-N)-01-01     | (Y-1)-12-31            | years              |
# | 未来N年                 | Y-01-01         | (Y+N-1)-12-31          | years              |
# | N年前                   | (Y-N)-01-01     | (Y-N)-12-31            | year               |
# | 十四五, “十四五”          | first plan year | first plan year + 4    | years              |
# | “十四五”开篇, 十四五开局  | first plan year | first plan year        | year               |
# | 今年N月, YYYY年N月       | first day       | last day of that month | month              |
# | N个月前                 | the calendar month N months before P's month | month        |
# | 目前, 当前               | P               | P                      | day                |
#
# 过去N年 means N complete calendar years, not a rolling window: a late-2021 report's "past five
# years" is the 13th Five-Year Plan, 2016-2020. 前N季度 must have ended by P: cumulative
# quarterly figures are published after the quarter. 今年来 is known only to lie in this year,
# up to P (precision year, end P). Five-Year Plan k starts in 1953 (k = 1), 1958 (k = 2), then
# 1951 + 5k (k >= 3: 1963-1965 was a readjustment period without a plan), so 十四五 = 2021-2025;
# a plan's opening (开篇, 开局) is its first year. Periods named only by history (新中国成立之初,
# 改革开放40年) have no rule: their dates are not in the text.


class PeriodError(ValueError):
    """The expression is not a period this resolver understands."""


@dataclass(frozen=True)
class ResolvedPeriod:
    """The span an expression names (None = open), its precision, and its label in both
    languages."""

    start: date | None
    end: date | None
    precision: Precision
    label_zh: str
    label_en: str


_Resolved = tuple[date | None, date | None, Precision, str, str]
_N = r"(?P<n>[\d〇零一二两三四五六七八九十百]+)"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def resolve_period(expression: str, published: date) -> ResolvedPeriod:
    """Resolve a period expression (e.g. "今年前3季度") against the publication date."""
    text = "".join(expression.split()).strip("“”\"'")
    for pattern, rule in _RULES:
        match = pattern.fullmatch(text)
        if match is not None:
            return ResolvedPeriod(*rule(match, published))
    raise PeriodError(f"unknown period expression {expression!r}")


def _n(match: re.Match[str], low: int = 1, high: int | None = None) -> int:
    """Read the numeral N of a rule and check its range."""
    try:
        n = parse_integer(match["n"])
    except QuantityError as error:
        raise PeriodError(f"{match[0]!r}: {error}") from error
    if n < low or (high is not None and n > high):
        raise PeriodError(f"{match[0]!r}: {n} is out of range")
    return n


def _word(n: int) -> str:
    """Spell a small number in English for a label."""
    return _WORDS[n] if n < len(_WORDS) else str(n)


def day_en(d: date) -> str:
    """A date in an English label: 9 November 2021."""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def day_zh(d: date) -> str:
    """A date in a Chinese label: 2021年11月9日."""
    return f"{d.year}年{d.month}月{d.day}日"


def _years_zh(first: int, last: int) -> str:
    return f"{first}—{last}年"  # GB/T 15834: a range of years takes the dash


def _month(year: int, month: int) -> tuple[date, date]:
    """Return the first and last day of a calendar month."""
    return date(year, month, 1), date(year, month, monthrange(year, month)[1])


def _this_year(m: re.Match[str], p: date) -> _Resolved:
    y = p.year
    return date(y, 1, 1), date(y, 12, 31), Precision.year, f"今年（{y}年）", f"This year ({y})"


def _year_to_date(m: re.Match[str], p: date) -> _Resolved:
    zh = f"{m[0]}（{p.year}年1月1日至{p.month}月{p.day}日）"
    en = f"This year to date (1 January to {day_en(p)})"
    return date(p.year, 1, 1), p, Precision.year, zh, en


def _quarters(m: re.Match[str], p: date) -> _Resolved:
    n = _n(m, 1, 4)
    end = _month(p.year, 3 * n)[1]
    if end > p:
        raise PeriodError(f"{m[0]!r}: quarter {n} of {p.year} had not ended on {p}")
    if n == 1:
        words = m[0].removeprefix("今年")
        zh, en = f"{p.year}年{words}（1—3月）", f"First quarter of {p.year} (January–March)"
        return date(p.year, 1, 1), end, Precision.quarter, zh, en
    months = f"January–{_MONTHS[3 * n - 1]}"
    zh = f"{p.year}年{m[0].removeprefix('今年')}（1—{3 * n}月累计）"
    en = f"First {_word(n)} quarters of {p.year} ({months}, cumulative)"
    return date(p.year, 1, 1), end, Precision.quarters, zh, en


def _year(m: re.Match[str], p: date) -> _Resolved:
    y = int(m["y"])
    return date(y, 1, 1), date(y, 12, 31), Precision.year, f"{y}年", str(y)


def _by_year_end(m: re.Match[str], p: date) -> _Resolved:
    y = int(m["y"])
    return None, date(y, 12, 31), Precision.year, m[0], f"By the end of {y}"


def _past_years(m: re.Match[str], p: date) -> _Resolved:
    n = _n(m)
    first, last = p.year - n, p.year - 1
    zh = f"{m[0]}（{_years_zh(first, last)}）"
    en = f"Past {_word(n)} years ({first}–{last})"
    return date(first, 1, 1), date(last, 12, 31), Precision.years, zh, en


def _next_years(m: re.Match[str], p: date) -> _Resolved:
    n = _n(m)
    last = p.year + n - 1
    zh = f"{m[0]}（{_years_zh(p.year, last)}）"
    en = f"Next {_word(n)} years ({p.year}–{last})"
    return date(p.year, 1, 1), date(last, 12, 31), Precision.years, zh, en


def _years_ago(m: re.Match[str], p: date) -> _Resolved:
    n = _n(m)
    y = p.year - n
    ago = "A year ago" if n == 1 else f"{_word(n).capitalize()} years ago"
    return date(y, 1, 1), date(y, 12, 31), Precision.year, f"{m[0]}（{y}年）", f"{ago} ({y})"


def _plan(m: re.Match[str]) -> tuple[str, int, str]:
    """Plan N's short name (“十四五”), its first year and its English ordinal (14th)."""
    k = _n(m)
    first = {1: 1953, 2: 1958}.get(k, 1951 + 5 * k)
    ordinal = f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"
    return f"“{m['n']}五”", first, ordinal


def _five_year_plan(m: re.Match[str], p: date) -> _Resolved:
    name, first, ordinal = _plan(m)
    zh = f"{name}时期（{_years_zh(first, first + 4)}）"
    en = f"{ordinal} Five-Year Plan period ({first}–{first + 4})"
    return date(first, 1, 1), date(first + 4, 12, 31), Precision.years, zh, en


def _plan_opening(m: re.Match[str], p: date) -> _Resolved:
    name, first, ordinal = _plan(m)
    zh = f"{name}{m['w']}（{first}年）"
    en = f"Opening of the {ordinal} Five-Year Plan ({first})"
    return date(first, 1, 1), date(first, 12, 31), Precision.year, zh, en


def _named_month(m: re.Match[str], p: date) -> _Resolved:
    y = int(m["y"]) if m["y"] else p.year
    month = _n(m, 1, 12)
    start, end = _month(y, month)
    return start, end, Precision.month, f"{y}年{month}月", f"{_MONTHS[month - 1]} {y}"


def _months_ago(m: re.Match[str], p: date) -> _Resolved:
    n = _n(m)
    y, month0 = divmod(p.year * 12 + p.month - 1 - n, 12)
    start, end = _month(y, month0 + 1)
    ago = "A month ago" if n == 1 else f"{_word(n).capitalize()} months ago"
    zh = f"{m[0]}（{y}年{month0 + 1}月）"
    return start, end, Precision.month, zh, f"{ago} ({_MONTHS[month0]} {y})"


def _now(m: re.Match[str], p: date) -> _Resolved:
    zh, en = f"{m[0]}（截至{day_zh(p)}）", f"Currently (as of {day_en(p)})"
    return p, p, Precision.day, zh, en


_RULES: tuple[tuple[re.Pattern[str], Callable[[re.Match[str], date], _Resolved]], ...] = tuple(
    (re.compile(pattern), rule)
    for pattern, rule in (
        (r"今年", _this_year),
        (r"今年以?来", _year_to_date),
        (rf"(?:今年)?前{_N}个?季度", _quarters),
        (r"(?P<y>\d{4})年", _year),
        (r"(?:到|截至)(?P<y>\d{4})年底", _by_year_end),
        (rf"过去{_N}年", _past_years),
        (rf"未来{_N}年", _next_years),
        (rf"{_N}年前", _years_ago),
        (r"(?P<n>[一二三四五六七八九十]+?)五(?:时期|期间)?", _five_year_plan),
        (r"(?P<n>[一二三四五六七八九十]+?)五”?(?P<w>开篇|开局)", _plan_opening),
        (rf"(?:今年|(?P<y>\d{{4}})年){_N}月", _named_month),
        (rf"{_N}个月前", _months_ago),
        (r"目前|当前", _now),
    )
)
