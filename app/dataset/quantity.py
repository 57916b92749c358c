"""Parse one verbatim Chinese quantity expression into an exact value, unit and qualifier."""

import re
from dataclasses import dataclass
from decimal import Decimal

import cn2an

from app.vocabulary import Qualifier, Unit


class QuantityError(ValueError):
    """The text is not exactly one quantity this parser understands."""


@dataclass(frozen=True)
class Quantity:
    """A value in base units (亿 applied, percent as written); value_high only for a range."""

    value: Decimal
    value_high: Decimal | None
    unit: Unit | None
    qualifier: Qualifier


_FULL_WIDTH = str.maketrans("０１２３４５６７８９．％～－", "0123456789.%~-")
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?:,\d{3})+(?![\d,])")
# Words before the number, matched longest first. Verbs keep the value exact.
_PREFIXES: dict[str, Qualifier] = {
    "同比增长": Qualifier.exact,
    "年均增长": Qualifier.exact,
    "提高到": Qualifier.exact,
    "达到": Qualifier.exact,
    "增长": Qualifier.exact,
    "全国": Qualifier.exact,
    "全省": Qualifier.exact,
    "达": Qualifier.exact,
    "为": Qualifier.exact,
    "居": Qualifier.exact,
    "超过": Qualifier.more_than,
    "突破": Qualifier.more_than,
    "过": Qualifier.more_than,
    "约": Qualifier.approximately,
    "近": Qualifier.approximately,
}
_PREFIX_WORDS = sorted(_PREFIXES, key=len, reverse=True)
_SUFFIXES: dict[str, Qualifier] = {"以上": Qualifier.at_least, "左右": Qualifier.approximately}
# Decimal exponent of each multiplier; alternation order is longest first.
_MULTIPLIERS = {
    "万亿": 12,
    "千亿": 11,
    "百亿": 10,
    "十亿": 9,
    "亿": 8,
    "千万": 7,
    "百万": 6,
    "万": 4,
}
_UNITS: dict[str, Unit] = {
    "平方公里": Unit.km2,
    "美元": Unit.USD,
    "元": Unit.CNY,
    "%": Unit.percent,
    "天": Unit.day,
}
_CLASSIFIERS = "家个名项条人座所位种大"  # count; a noun may follow (八大工业基地)
_RANK_CLASSIFIERS = "个名位"  # 第二个
_ROMAN = {"Ⅰ": 1, "Ⅱ": 2, "Ⅲ": 3, "Ⅳ": 4, "Ⅴ": 5}
_ONLY = "唯一"  # "the only one": a count of exactly one
# 最X ("the most X") is first place in a ranking by X. Only words whose first place is the top
# are listed: 最少, 最低, 最差 could count from either end of a ranking, so they stay errors.
_SUPERLATIVES = ("多", "大", "高", "佳", "齐全", "成功")
_SUPERLATIVE = re.compile(r"最(?P<word>[^的]+?)(?:的(?P<top>.*))?")
_NUMERALS = "〇零一二两三四五六七八九十百千万亿"
_NUMBER = re.compile(
    rf"(?P<digits>\d+(?:\.\d+)?|[{_NUMERALS}]+)(?P<more>[余多])?"
    rf"(?P<mult>{'|'.join(_MULTIPLIERS)})?(?P<more2>[余多])?"
)
_ANY_NUMBER = re.compile(rf"[\d{_NUMERALS}{''.join(_ROMAN)}]")
_RANGE_SEPARATOR = re.compile(
    rf"(?P<unit>{'|'.join(map(re.escape, _UNITS))}|[{_CLASSIFIERS}])?[至到~-]"
)


def parse_integer(text: str) -> int:
    """Convert an Arabic or Chinese integer numeral (12, １２, 十四, 两, 百) to an int."""
    digits = text.translate(_FULL_WIDTH)
    if digits.isascii() and digits.isdigit():
        return int(digits)
    # cn2an's strict mode rejects 两 and 〇 and reads 一五 as 15 only in its lax modes.
    numeral = digits.replace("两", "二").replace("〇", "零")
    if numeral[:1] in ("百", "千"):
        numeral = "一" + numeral
    try:
        value = cn2an.cn2an(numeral, "strict")
    except ValueError as error:
        raise QuantityError(f"{text!r} is not an integer numeral") from error
    if not isinstance(value, int):
        raise QuantityError(f"{text!r} is not an integer numeral")
    return value


def parse_quantity(text: str) -> Quantity:
    """Parse one quantity expression (e.g. "1000多万人") into base units, or raise QuantityError."""
    body = _THOUSANDS.sub(
        lambda m: m[0].replace(",", ""), "".join(text.translate(_FULL_WIDTH).split())
    )
    if not body:
        raise QuantityError("empty quantity expression")
    if "," in body:
        raise _error(text, "a comma that is not a thousands separator (1,000)")
    body, qualifiers = _strip_affixes(body, text)
    if body.startswith(("第", "最", _ONLY)) or body[:1] in _ROMAN:
        if qualifiers:
            raise _error(
                text, f"a rank or class takes no qualifier ({', '.join(sorted(qualifiers))})"
            )
        if body.startswith(_ONLY):
            _unit_free_tail(body[len(_ONLY) :], text)
            return Quantity(Decimal(1), None, Unit.count, Qualifier.exact)
        if body.startswith("最"):
            return _superlative(body, text)
        return _ordinal(body, text)
    low = _NUMBER.match(body)
    if low is None:
        raise _error(text, "no number at the start")
    value, more = _value(low, text)
    rest = body[low.end() :]
    high: Decimal | None = None
    separated = _RANGE_SEPARATOR.match(rest)
    if separated is not None:
        high, rest = _range_high(low, separated, rest, text)
        if more or high <= value:
            raise _error(text, "a range needs two plain numbers, low to high")
        qualifiers.add(Qualifier.range)
    if more:
        qualifiers.add(Qualifier.more_than)
    unit, own = _unit(rest, text)
    if own is not None:
        qualifiers.add(own)
    if len(qualifiers) > 1:
        raise _error(text, f"conflicting qualifiers ({', '.join(sorted(qualifiers))})")
    _check(value, _has_multiplier(low), unit, text)
    qualifier: Qualifier = qualifiers.pop() if qualifiers else Qualifier.exact
    return Quantity(value, high, unit, qualifier)


def _error(text: str, reason: str) -> QuantityError:
    """Build the error for one text."""
    return QuantityError(f"cannot parse quantity {text!r}: {reason}")


def _strip_affixes(body: str, text: str) -> tuple[str, set[Qualifier]]:
    """Remove known words around the number and collect their non-exact qualifiers."""
    found: set[Qualifier] = set()
    if body.startswith("迈上") != body.endswith("台阶"):
        raise _error(text, "迈上 and 台阶 go together")
    if body.startswith("迈上"):
        body = body[2:-2]
        found.add(Qualifier.at_least)
    stripped = True
    while stripped:
        stripped = False
        for word in _PREFIX_WORDS:
            if body.startswith(word):
                body, stripped = body[len(word) :], True
                found.add(_PREFIXES[word])
                break
    for word, qualifier in _SUFFIXES.items():
        if body.endswith(word):
            body = body[: -len(word)]
            found.add(qualifier)
    found.discard(Qualifier.exact)
    return body, found


def _value(match: re.Match[str], text: str) -> tuple[Decimal, bool]:
    """Return the number of a _NUMBER match in base units and whether it has 余/多."""
    if match["more"] and match["more2"]:
        raise _error(text, "余/多 written twice")
    digits = match["digits"]
    value = Decimal(digits) if digits[0].isdigit() else Decimal(_chinese(digits, text))
    if match["mult"]:
        value *= Decimal(10) ** _MULTIPLIERS[match["mult"]]
        if value == value.to_integral_value():
            value = value.quantize(Decimal(1))
    return value, bool(match["more"] or match["more2"])


def _chinese(numeral: str, text: str) -> int:
    """Convert a Chinese numeral of the text, reporting errors against the whole text."""
    try:
        return parse_integer(numeral)
    except QuantityError as error:
        raise _error(text, f"{numeral!r} is not a Chinese numeral") from error


def _has_multiplier(match: re.Match[str]) -> bool:
    """Tell whether a number is written with 万 or 亿 (3万, 两万, 千亿)."""
    return bool(match["mult"]) or any(c in "万亿" for c in match["digits"])


def _range_high(
    low: re.Match[str], separated: re.Match[str], rest: str, text: str
) -> tuple[Decimal, str]:
    """Parse the high end of a range (2至3个): its value and the text after it."""
    high = _NUMBER.match(rest, separated.end())
    if high is None:
        raise _error(text, "no number after the range separator")
    value, more = _value(high, text)
    if more:
        raise _error(text, "余/多 inside a range")
    if _has_multiplier(high) and not _has_multiplier(low):
        raise _error(text, "ambiguous range: write the multiplier on both ends (2万至3万)")
    after = rest[high.end() :]
    if separated["unit"] and not after.startswith(separated["unit"]):
        raise _error(text, "the two ends of the range have different units")
    return value, after


def _unit(rest: str, text: str) -> tuple[Unit | None, Qualifier | None]:
    """Read the unit after the number, and the qualifier it implies (强 = top N)."""
    _unit_free_tail(rest, text)
    if not rest:
        return None, None
    for word, unit in _UNITS.items():
        if rest.startswith(word):
            if rest != word:
                raise _error(text, f"unexpected text {rest[len(word) :]!r} after {word!r}")
            return unit, None
    if rest[0] in _CLASSIFIERS:
        return Unit.count, None
    if rest[0] == "强":
        return Unit.rank, Qualifier.at_most
    if rest[0] == "成":
        raise _error(text, "成 (tenths) is not converted to a percent; not a supported unit")
    raise _error(text, f"unknown unit {rest!r}")


def _check(value: Decimal, has_multiplier: bool, unit: Unit | None, text: str) -> None:
    """Reject combinations that have no meaning: 3万%, 1.5个, 2.5强."""
    if has_multiplier and unit in (Unit.percent, Unit.rank, Unit.day):
        raise _error(text, f"a multiplier with unit {unit}")
    if unit in (Unit.count, Unit.rank) and value != value.to_integral_value():
        raise _error(text, f"a {unit} must be a whole number")


def _ordinal(body: str, text: str) -> Quantity:
    """Parse a rank (第十, 第二个) or a water quality class (Ⅱ类, Ⅱ类水)."""
    if body[0] in _ROMAN:
        if body[1:2] != "类":
            raise _error(text, "a Roman numeral needs 类 (water quality class)")
        _unit_free_tail(body[2:], text)
        return Quantity(Decimal(_ROMAN[body[0]]), None, Unit.water_class, Qualifier.exact)
    match = _NUMBER.match(body, 1)
    if match is None or match["more"] or match["more2"] or match["mult"]:
        raise _error(text, "第 needs a plain ordinal number")
    if "." in match["digits"]:
        raise _error(text, "a rank must be a whole number")
    tail = body[match.end() :]
    if tail and tail[0] not in _RANK_CLASSIFIERS:
        raise _error(text, f"unexpected text {tail!r} after the rank")
    _unit_free_tail(tail[1:], text)
    digits = match["digits"]
    value = int(digits) if digits[0].isdigit() else _chinese(digits, text)
    return Quantity(Decimal(value), None, Unit.rank, Qualifier.exact)


def _superlative(body: str, text: str) -> Quantity:
    """Parse 最多 (first: rank 1) or 最成功的40个城市 (among the top 40: rank at most 40)."""
    match = _SUPERLATIVE.fullmatch(body)
    assert match is not None  # body starts with 最 and [^的]+? takes at least one character
    word, top = match["word"], match["top"]
    if word not in _SUPERLATIVES:
        if _ANY_NUMBER.search(word):
            raise _error(text, "a number after 最 is a bound (最多3个: at most 3), not a rank")
        raise _error(text, f"unknown superlative '最{word}'")
    if top is None:
        return Quantity(Decimal(1), None, Unit.rank, Qualifier.exact)
    number = _NUMBER.match(top)
    if number is None:
        raise _error(text, "no number after 的")
    if number["more"] or number["more2"] or number["mult"] or "." in number["digits"]:
        raise _error(text, "the top N of 最…的N个 needs a plain whole number")
    tail = top[number.end() :]
    if tail[:1] not in tuple(_RANK_CLASSIFIERS):
        raise _error(text, f"unexpected text {tail!r} after the top N")
    _unit_free_tail(tail[1:], text)
    digits = number["digits"]
    value = int(digits) if digits[0].isdigit() else _chinese(digits, text)
    return Quantity(Decimal(value), None, Unit.rank, Qualifier.at_most)


def _unit_free_tail(tail: str, text: str) -> None:
    """Allow text after the number (a unit, a noun after a classifier), but no second number."""
    if _ANY_NUMBER.search(tail):
        raise _error(text, f"a second number in {tail!r}")
