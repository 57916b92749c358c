"""Table-driven tests of the quantity parser: every quantity of the article, edge cases, errors."""

from decimal import Decimal

import pytest

from app.dataset.quantity import (
    Qualifier,
    Quantity,
    QuantityError,
    Unit,
    parse_integer,
    parse_quantity,
)


def q(
    value: str, unit: Unit | None, qualifier: Qualifier = "exact", high: str | None = None
) -> Quantity:
    """Build an expected quantity from decimal strings."""
    return Quantity(Decimal(value), None if high is None else Decimal(high), unit, qualifier)


# Body paragraphs of seed/documents/zhuzhou-2021-11-09/source.txt, in order (p = paragraph).
ARTICLE: list[tuple[str, Quantity]] = [
    ("100亿元", q("10_000_000_000", "CNY")),  # p1 投资100亿元
    ("两个", q("2", "count")),  # p2 这两个关键词
    ("八大", q("8", "count")),  # p8 全国八大工业基地之一
    ("八大工业基地", q("8", "count")),
    ("15.15平方公里", q("15.15", "km2")),
    ("30%", q("30", "percent")),
    ("90%", q("90", "percent")),
    ("1000多万人", q("10_000_000", "count", "more_than")),
    ("21个", q("21", "count")),  # p10
    ("最多", q("1", "rank")),  # 清水塘涉及人员最多: first among the 21 pilots
    ("200多名", q("200", "count", "more_than")),
    ("261家", q("261", "count")),
    ("3万", q("30_000", None)),  # 3万职工、3万居民: each 3万 alone
    ("1700余家", q("1700", "count", "more_than")),  # p12
    ("1857家", q("1857", "count")),
    ("17条", q("17", "count")),  # p13, again p28 and p33
    ("过20亿元", q("2_000_000_000", "CNY", "more_than")),  # 过 covers the list:
    ("50亿元", q("5_000_000_000", "CNY")),  # 过20亿元、50亿元、100亿元
    ("317天", q("317", "day")),  # p14
    ("168个", q("168", "count")),
    ("居全国第十", q("10", "rank")),
    ("第十", q("10", "rank")),
    ("全省第一", q("1", "rank")),
    ("第一", q("1", "rank")),
    ("Ⅲ类", q("3", "water_class")),
    ("Ⅱ类", q("2", "water_class")),
    ("Ⅱ类水", q("2", "water_class")),
    ("一座", q("1", "count")),  # p15: the article "a", left to the coverage ignore list
    ("三大", q("3", "count")),  # p18 三大动力产业, p29 三大主机公司
    ("三大动力产业", q("3", "count")),
    ("3名", q("3", "count")),  # p21
    ("2万余名", q("20_000", "count", "more_than")),
    ("538家", q("538", "count")),
    ("唯一", q("1", "count")),  # 湖南唯一的国家先进制造业创新中心
    ("超过3%", q("3", "percent", "more_than")),  # p22
    ("全省唯一", q("1", "count")),
    ("873.85亿元", q("87_385_000_000", "CNY")),
    ("28.1%", q("28.1", "percent")),
    ("为28.1%", q("28.1", "percent")),
    ("百强", q("100", "rank", "at_most")),
    ("全国百强", q("100", "rank", "at_most")),
    ("140余项", q("140", "count", "more_than")),  # p23
    ("120余个", q("120", "count", "more_than")),
    ("第二个", q("2", "rank")),  # p25 第二个过千亿元产业集群
    ("过千亿元", q("100_000_000_000", "CNY", "more_than")),
    ("一条", q("1", "count")),  # p24 走出一条…之路: idiom, left to the coverage ignore list
    ("80余家", q("80", "count", "more_than")),  # p26
    ("300余家", q("300", "count", "more_than")),  # p29
    ("达到80%以上", q("80", "percent", "at_least")),
    ("80%以上", q("80", "percent", "at_least")),
    ("70多个", q("70", "count", "more_than")),
    ("43.9亿", q("4_390_000_000", None)),  # p31
    ("同比增长86.6%", q("86.6", "percent")),
    ("86.6%", q("86.6", "percent")),
    ("6000余家", q("6000", "count", "more_than")),  # p32
    ("达38家", q("38", "count")),
    ("129家", q("129", "count")),
    ("居全省第二", q("2", "rank")),
    ("全省第二", q("2", "rank")),
    ("年均增长7.0%", q("7.0", "percent")),  # p33
    ("年均增长7.1%", q("7.1", "percent")),  # p34
    ("突破3000亿元", q("300_000_000_000", "CNY", "more_than")),
    ("突破1万美元", q("10_000", "USD", "more_than")),
    ("40个", q("40", "count")),
    ("最成功的40个城市", q("40", "rank", "at_most")),  # 入选…最成功的40个城市: within the top 40
    ("30强", q("30", "rank", "at_most")),
    ("三个", q("3", "count")),  # p36 “三个高地”
    ("41个", q("41", "count")),  # p37
    ("37个", q("37", "count")),
    ("最齐全", q("1", "rank")),  # 全省工业门类最齐全的市州
    ("2至3个", q("2", "count", "range", high="3")),  # p41
    ("千亿元", q("100_000_000_000", "CNY")),  # 千亿元产业集群
    ("超过70%", q("70", "percent", "more_than")),
    ("提高到15%", q("15", "percent")),
    ("迈上5000亿元台阶", q("500_000_000_000", "CNY", "at_least")),
    ("3", q("3", None)),  # p42 “3(…)+3(…)+2(…)”: counts of industries, unit in metadata
    ("2", q("2", None)),
    ("2487.1亿元", q("248_710_000_000", "CNY")),  # p43
    ("增长9.9%", q("9.9", "percent")),
    ("6.3%", q("6.3", "percent")),  # 两年平均增长6.3%
    ("14.6%", q("14.6", "percent")),
    ("15.2%", q("15.2", "percent")),
]

EDGE_CASES: list[tuple[str, Quantity]] = [
    ("１００亿元", q("10_000_000_000", "CNY")),
    ("２８．１％", q("28.1", "percent")),
    ("28.1％", q("28.1", "percent")),
    (" 1,000家 ", q("1000", "count")),
    ("1,234,567.5元", q("1_234_567.5", "CNY")),
    ("0.5万", q("5000", None)),
    ("0.5万人", q("5000", "count")),
    ("1.2万亿", q("1_200_000_000_000", None)),
    ("3千万元", q("30_000_000", "CNY")),
    ("两万", q("20_000", None)),
    ("两万余名", q("20_000", "count", "more_than")),
    ("三千多万人", q("30_000_000", "count", "more_than")),
    ("十四", q("14", None)),
    ("十", q("10", None)),
    ("两", q("2", None)),
    ("十大", q("10", "count")),
    ("约100亿元", q("10_000_000_000", "CNY", "approximately")),
    ("近100亿元", q("10_000_000_000", "CNY", "approximately")),
    ("100亿元左右", q("10_000_000_000", "CNY", "approximately")),
    ("1万元", q("10_000", "CNY")),
    ("5万美元", q("50_000", "USD")),
    ("第1名", q("1", "rank")),
    ("Ⅴ类", q("5", "water_class")),
    ("2到3个", q("2", "count", "range", high="3")),
    ("2~3个", q("2", "count", "range", high="3")),
    ("2～3个", q("2", "count", "range", high="3")),
    ("2-3个", q("2", "count", "range", high="3")),
    ("2－3个", q("2", "count", "range", high="3")),
    ("2个至3个", q("2", "count", "range", high="3")),
    ("2.5%至3%", q("2.5", "percent", "range", high="3")),
    ("2万至3万元", q("20_000", "CNY", "range", high="30_000")),
    ("两至三个", q("2", "count", "range", high="3")),
    ("2至3", q("2", None, "range", high="3")),
    ("唯一的", q("1", "count")),
    ("最高", q("1", "rank")),
    ("最大的十个", q("10", "rank", "at_most")),
    ("最佳的30名", q("30", "rank", "at_most")),
]


@pytest.mark.parametrize(("text", "expected"), ARTICLE + EDGE_CASES, ids=lambda v: str(v))
def test_parse_quantity_returns_the_exact_quantity(text: str, expected: Quantity) -> None:
    result = parse_quantity(text)
    assert result == expected
    assert type(result.value) is Decimal
    assert result.value_high is None or type(result.value_high) is Decimal


@pytest.mark.parametrize(
    ("text", "written"),
    [("7.0%", "7.0"), ("873.85亿元", "87385000000"), ("0.5万", "5000"), ("15.15平方公里", "15.15")],
)
def test_value_keeps_the_written_precision_without_float_noise(text: str, written: str) -> None:
    assert str(parse_quantity(text).value) == written


ERRORS: list[tuple[str, str]] = [
    ("", "empty"),
    ("   ", "empty"),
    ("abc", "no number"),
    ("5G", "unknown unit 'G'"),  # p27
    ("3万职工、3万居民", "a second number"),  # p10
    ("3万职工", "unknown unit '职工'"),
    ("近3成", "成 (tenths)"),
    ("数百家", "no number"),  # p8: vague
    ("数十年", "no number"),  # p8
    ("八大工业基地之一", "a second number"),
    ("2至3个千亿元产业集群", "a second number"),  # p41: two quantities
    ("第二个过千亿元产业集群", "a second number"),  # p25
    ("两年平均增长6.3%", "a second number"),  # p43
    ("3+3", "a second number"),  # p42
    ("第一动力", "after the rank"),  # p19: “第一动力” is a phrase, not a rank
    ("三一", "not a Chinese numeral"),  # p1: the company 三一
    ("十四五", "not a Chinese numeral"),  # p40: a period, not a quantity
    ("四新", "unknown unit '新'"),  # p36
    ("三方", "unknown unit '方'"),  # p28
    ("一批", "unknown unit '批'"),  # p13
    ("四轴", "unknown unit '轴'"),  # p31
    ("一流", "unknown unit '流'"),  # p41
    ("40年", "unknown unit '年'"),  # p34 改革开放40年
    ("一如既往", "unknown unit"),  # p1
    ("唯一3个", "a second number"),
    ("超过唯一", "takes no qualifier"),
    ("最少", "unknown superlative '最少'"),  # a ranking's first place could be either end
    ("最复杂", "unknown superlative"),  # p10: a judgement, not a measured ranking
    ("最多3个", "a bound"),
    ("最多三个", "a bound"),
    ("约最多", "takes no qualifier"),
    ("最成功的", "no number after 的"),
    ("最成功的城市", "no number after 的"),
    ("最成功的40余个", "plain whole number"),
    ("最成功的4万个", "plain whole number"),
    ("最成功的40家", "unexpected text '家'"),
    ("最成功的40个3", "a second number"),
    ("1,0000", "thousands separator"),
    ("1,00家", "thousands separator"),
    ("2至3万元", "ambiguous range"),
    ("3至2个", "low to high"),
    ("2余至3个", "low to high"),
    ("2个至3家", "different units"),
    ("2至", "no number after"),
    ("超过3%以上", "conflicting qualifiers"),
    ("约百强", "conflicting qualifiers"),
    ("约2至3个", "conflicting qualifiers"),
    ("约第十", "takes no qualifier"),
    ("1.5个", "whole number"),
    ("第1.5", "whole number"),
    ("第3万", "plain ordinal"),
    ("第", "plain ordinal"),
    ("3万%", "multiplier with unit percent"),
    ("100亿元的", "unexpected text '的'"),
    ("Ⅱ", "needs 类"),
    ("Ⅱ类Ⅲ类", "a second number"),
    ("迈上5000亿元", "迈上 and 台阶"),
    ("5000亿元台阶", "迈上 and 台阶"),
    ("1700余多家", "written twice"),
    ("万元", "'万' is not a Chinese numeral"),
    ("三点五", "a second number"),
]


@pytest.mark.parametrize(("text", "message"), ERRORS, ids=lambda v: str(v))
def test_parse_quantity_refuses_what_it_cannot_read_unambiguously(text: str, message: str) -> None:
    with pytest.raises(QuantityError) as raised:
        parse_quantity(text)
    assert message in str(raised.value)
    assert text.strip() == "" or repr(text) in str(raised.value)


@pytest.mark.parametrize(
    ("numeral", "value"),
    [("12", 12), ("１２", 12), ("十", 10), ("十四", 14), ("两", 2), ("两万", 20_000), ("百", 100)],
)
def test_parse_integer_reads_arabic_and_chinese_numerals(numeral: str, value: int) -> None:
    assert parse_integer(numeral) == value


@pytest.mark.parametrize("numeral", ["", "一五", "三点五", "十四五", "万", "1.5"])
def test_parse_integer_refuses_what_is_not_one_integer(numeral: str) -> None:
    with pytest.raises(QuantityError, match="not an integer numeral"):
        parse_integer(numeral)
