"""The normal form search compares, its word count and its bigrams."""

import pytest

from app.store.search_text import bigrams, filter_text, normalise, trigrams, units


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("New-energy vehicles", "new energy vehicles"),
        ("  new \t energy\n", "new energy"),
        ("NEW\u2013ENERGY", "new energy"),  # en dash
        ("new_energy", "new energy"),
        ("ＧＤＰ２０２１", "gdp2021"),  # full-width forms
        ("株洲\u3000市", "株洲 市"),  # ideographic space
        ("Ⅱ类", "ⅱ类"),  # casefolded, not spelled out: never "ii类"
        ("3+3+2", "3+3+2"),
        ("--", ""),
        ("\u212a", "k"),  # Kelvin sign
        ("Straße", "strasse"),
        ("ΟΔΟΣ", "οδοσ"),  # final sigma folds as sigma
        ("ﬁ", "fi"),
    ],
)
def test_normalise_folds_case_width_hyphens_and_spacing(raw: str, normal: str) -> None:
    assert normalise(raw) == normal


def test_a_roman_numeral_stays_one_character() -> None:
    assert normalise("Ⅱ类") not in normalise("从Ⅲ类提升")


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("gdp, annual total", 3),
        ("研发投入占gdp比重", 8),  # seven characters and one word
        ("r&d expenditure", 3),
        ("2487.1亿元", 4),
        ("“本土”", 2),
        ("“”", 1),  # never 0: the score divides by it
    ],
)
def test_units_count_words_and_chinese_characters(text: str, count: int) -> None:
    assert units(text) == count


def test_bigrams_are_distinct_sorted_and_mark_spaces() -> None:
    assert bigrams("a bab") == ["_b", "a_", "ab", "ba"]
    assert bigrams("株洲株洲") == ["株洲", "洲株"]  # by code point: 株 U+682A, 洲 U+6D32
    assert bigrams("x") == []


def test_trigrams_are_distinct_sorted_and_keep_spaces() -> None:
    assert trigrams("a bab") == [" ba", "a b", "bab"]
    assert trigrams("ab") == []


def test_filter_text_is_each_texts_normal_form_once_a_line() -> None:
    texts = ["Gross regional product (GDP), annual", None, "", "gdp", "GDP", "--"]
    assert filter_text(texts) == "gross regional product (gdp), annual\ngdp"
