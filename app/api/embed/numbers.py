"""Quantities and periods in words: exact normalised values, readable values, axis units, dates."""

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .view import Lang, Metric, Period
from .words import QUALIFIER

ROMAN = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ", 5: "Ⅴ", 6: "Ⅵ"}

# Base units as written after a normalised number.
BASE_UNIT: dict[str, dict[Lang, str]] = {
    "CNY": {"zh": "元", "en": " CNY"},
    "USD": {"zh": "美元", "en": " USD"},
    "percent": {"zh": "%", "en": "%"},
    "count": {"zh": "", "en": ""},
    "day": {"zh": "天", "en": " days"},
    "km2": {"zh": "平方公里", "en": " km²"},
}

# Large money in English: the scale word a reader expects.
_EN_SCALES = (
    (Decimal(10**12), "trillion"),
    (Decimal(10**9), "billion"),
    (Decimal(10**6), "million"),
)
_EN_MONEY = {"CNY": ("yuan", "yuan"), "USD": ("US dollars", "USD")}


def decimal(value: float) -> Decimal:
    """The value as the API meant it: the shortest decimal that round-trips the float."""
    return Decimal(repr(value))


def plain_number(value: float | Decimal) -> str:
    """Digits with thousands separators, no exponent and no trailing zeros: 248,710,000,000."""
    number = value if isinstance(value, Decimal) else decimal(value)
    number = number.normalize()
    if number == number.to_integral_value():
        number = number.quantize(Decimal(1))
    return f"{number:,f}"


def roman(value: float) -> str:
    """A surface-water class as its Roman numeral (2 → Ⅱ)."""
    return ROMAN.get(int(value), plain_number(value))


def normalised(metric: Metric, lang: Lang) -> str:
    """The exact value in base units with its qualifier in words: 超过300,000,000,000元."""
    return _phrase(metric, lang, _exact_amount(metric, lang), symbols=False)


def readable(metric: Metric, lang: Lang, *, compact: bool = False) -> str:
    """The value as a reader says it: the source's words in zh, scaled words in en."""
    if lang == "zh":
        return metric.as_written or normalised(metric, lang)
    return _phrase(metric, lang, _scaled_amount(metric), symbols=compact)


def qualifier_words(metric: Metric, lang: Lang) -> str:
    """The qualifier alone in words, with the bound it qualifies: 'within the top 100'."""
    if metric.qualifier == "at_most" and metric.unit == "rank":
        top = plain_number(metric.value)
        return f"前{top}名以内" if lang == "zh" else f"within the top {top}"
    if metric.qualifier == "range" and metric.value_high is not None:
        low, high = plain_number(metric.value), plain_number(metric.value_high)
        return f"区间：{low}至{high}" if lang == "zh" else f"a range, {low}–{high}"
    entry = QUALIFIER.get(metric.qualifier)
    return entry[lang] if entry else metric.qualifier


def _phrase(metric: Metric, lang: Lang, amount: str, *, symbols: bool) -> str:
    q = metric.qualifier
    if metric.unit == "rank":
        number = plain_number(metric.value)
        if q == "at_most":
            return f"前{number}名以内" if lang == "zh" else f"within the top {number}"
        if q == "exact":
            return f"第{number}名" if lang == "zh" else f"No. {number}"
    if q == "range":
        return amount
    if lang == "zh":
        return {
            "more_than": f"超过{amount}",
            "at_least": f"{amount}以上",
            "at_most": f"不超过{amount}",
            "approximately": f"约{amount}",
        }.get(q, amount)
    if symbols:
        prefix = {"more_than": "> ", "at_least": "≥ ", "at_most": "≤ ", "approximately": "≈ "}
    else:
        prefix = {
            "more_than": "more than ",
            "at_least": "at least ",
            "at_most": "at most ",
            "approximately": "about ",
        }
    return prefix.get(q, "") + amount


def _exact_amount(metric: Metric, lang: Lang, render: Callable[[float], str] = plain_number) -> str:
    if metric.unit == "water_class":
        classes = _range(metric, roman, lang)
        return f"{classes}类" if lang == "zh" else f"class {classes}"
    unit = BASE_UNIT.get(metric.unit, {"zh": "", "en": f" {metric.unit}"})[lang]
    return _range(metric, render, lang) + unit


WRITTEN_NUMBER = re.compile(r"[0-9]+(?:\.([0-9]+))?")


def as_written_places(metric: Metric) -> Callable[[float], str]:
    """`plain_number`, but a value the source writes in digits keeps the decimal places it is
    written with: 7.0% is read as 7.0%, not 7% (the trailing zero is the source's precision)."""
    places = {
        Decimal(m.group(0)): len(m.group(1) or "")
        for m in WRITTEN_NUMBER.finditer(metric.as_written or "")
    }

    def render(value: float) -> str:
        number = decimal(value)
        written = places.get(number, 0)
        if written == 0:
            return plain_number(number)
        return f"{number.quantize(Decimal(1).scaleb(-written)):,f}"

    return render


def _scaled_amount(metric: Metric) -> str:
    money = _EN_MONEY.get(metric.unit)
    if money is None:  # the number as written, in the same unit
        return _exact_amount(metric, "en", as_written_places(metric))
    words, _ = money
    top = decimal(max(metric.value, metric.value_high or metric.value))
    for size, scale in _EN_SCALES:
        if top >= size:
            low = plain_number(decimal(metric.value) / size)
            high = (
                "" if metric.value_high is None else plain_number(decimal(metric.value_high) / size)
            )
            span = f"{low}–{high}" if high else low
            return f"{span} {scale} {words}"
    return _range(metric, plain_number, "en") + f" {words}"


def _range(metric: Metric, render: Callable[[float], str], lang: Lang) -> str:
    if metric.value_high is None:
        return render(metric.value)
    joiner = "至" if lang == "zh" else "–"
    return f"{render(metric.value)}{joiner}{render(metric.value_high)}"


@dataclass(frozen=True)
class Axis:
    """How a chart's y axis shows one unit: a divisor, the unit label, direction and ticks."""

    divisor: float
    label: str
    reverse: bool = False  # ranks and water classes: 1 (best) at the top
    zero: bool = True  # quantities start at zero
    ticks: str = "number"  # "number", "roman" or "rank"
    integer: bool = False  # counts, days, ranks and classes have no fractional ticks


_AXIS_LABELS: dict[str, dict[Lang, str]] = {
    "USD": {"zh": "美元", "en": "US dollars"},
    "percent": {"zh": "%", "en": "%"},
    "count": {"zh": "数量", "en": "count"},
    "day": {"zh": "天", "en": "days"},
    "km2": {"zh": "平方公里", "en": "km²"},
    "rank": {"zh": "名次（1 = 第一）", "en": "rank (1 = first)"},
    "water_class": {"zh": "水质类别（Ⅰ类最好）", "en": "water class (Ⅰ best)"},
}


def axis(unit: str, lang: Lang) -> Axis:
    """The y axis for a unit: 亿元 in zh and billion yuan in en, ranks and classes reversed."""
    if unit == "CNY":
        return Axis(1e8, "亿元") if lang == "zh" else Axis(1e9, "billion yuan")
    label = _AXIS_LABELS.get(unit, {"zh": unit, "en": unit})[lang]
    if unit == "rank":
        return Axis(1, label, reverse=True, zero=False, ticks="rank", integer=True)
    if unit == "water_class":
        return Axis(1, label, reverse=True, zero=False, ticks="roman", integer=True)
    return Axis(1, label, integer=unit in ("count", "day"))


def date_text(day: date, precision: str | None, lang: Lang) -> str:
    """One date at its precision: 2021-03 / 2021年3月, 2020 / 2020年, 2021-11-09 / 2021年11月9日."""
    if precision in ("year", "years"):
        return f"{day.year}年" if lang == "zh" else str(day.year)
    if precision == "month":
        return f"{day.year}年{day.month}月" if lang == "zh" else f"{day:%Y-%m}"
    if precision in ("quarter", "quarters"):
        q = (day.month - 1) // 3 + 1
        return f"{day.year}年第{q}季度" if lang == "zh" else f"Q{q} {day.year}"
    return f"{day.year}年{day.month}月{day.day}日" if lang == "zh" else day.isoformat()


def span_text(start: date, end: date, precision: str | None, lang: Lang) -> str:
    """A span at its precision: 2016–2020, Q1–Q3 2021, 2021年第1–3季度."""
    if precision in ("quarter", "quarters") and start.year == end.year:
        q0, q1 = (start.month - 1) // 3 + 1, (end.month - 1) // 3 + 1
        if q0 == q1:
            return date_text(end, precision, lang)
        return f"{start.year}年第{q0}–{q1}季度" if lang == "zh" else f"Q{q0}–Q{q1} {start.year}"
    if precision in ("year", "years"):
        if start.year == end.year:
            return date_text(end, precision, lang)
        return f"{start.year}–{end.year}年" if lang == "zh" else f"{start.year}–{end.year}"
    first, last = date_text(start, precision, lang), date_text(end, precision, lang)
    if first == last:
        return first
    return f"{first}至{last}" if lang == "zh" else f"{first} – {last}"


def period_dates(period: Period, lang: Lang) -> str:
    """The resolved dates in words, saying whether the value is over a span or at/by its end."""
    if period.type == "span" and period.start is not None:
        return span_text(period.start, period.end, period.precision, lang)
    when = date_text(period.end, period.precision, lang)
    if period.type == "horizon":
        return f"到{when}" if lang == "zh" else f"by {when}"
    if period.precision in ("year", "years", "month") and lang == "zh":
        return f"截至{when}底"
    if period.precision in ("year", "years", "month"):
        return f"by the end of {when}"
    return f"截至{when}" if lang == "zh" else f"as of {when}"


def period_label(period: Period, lang: Lang) -> str:
    """The API's label of the reference period in `lang` (zh and en say the same)."""
    return period.label.pick(lang)[0]
