"""The glossary is enforced: a label that uses a listed Chinese term uses its English term."""

import re
import tomllib
from collections import Counter
from typing import Any

import pytest

from app.dataset.build import BuiltDataset
from app.dataset.files import SeedBundle
from app.store.tables import Entity, Event, Indicator, IndustryChain, Metric
from tests.conftest import SEED_DIR

HAN = re.compile(r"[\u3400-\u9fff]")
Label = tuple[str, str, str]  # (record, zh, en)


def glossary() -> list[dict[str, Any]]:
    with (SEED_DIR / "glossary.toml").open("rb") as fh:
        terms: list[dict[str, Any]] = tomllib.load(fh)["term"]
    return terms


def labels(built: BuiltDataset) -> list[Label]:
    """Every served label pair: names of indicators, metrics, entities, chains; event titles."""
    found: list[Label] = []
    for row in built.rows:
        if isinstance(row, (Indicator, Metric, Entity, IndustryChain)):
            found.append((f"{row.__tablename__}:{row.id}", row.name_zh, row.name_en))
        elif isinstance(row, Event):
            found.append((f"event:{row.id}", row.title_zh, row.title_en))
    return found


def forms(en: str) -> tuple[str, ...]:
    """The term and the plural of its last word (cluster → clusters, class → classes)."""
    if en.endswith("y") and not en.endswith(("ay", "ey", "oy")):
        plural = en[:-1] + "ies"
    elif en.endswith(("s", "x", "ch", "sh")):
        plural = en + "es"
    else:
        plural = en + "s"
    return en.casefold(), plural.casefold()


def violations(terms: list[dict[str, Any]], found: list[Label]) -> list[str]:
    """Labels whose zh uses a term while their en does not use its translation."""
    bad = []
    for term in terms:
        for record, zh, en in found:
            if term["zh"] in zh and not any(f in en.casefold() for f in forms(term["en"])):
                bad.append(f"{record}: {zh!r} has {term['zh']!r}, but {en!r} lacks {term['en']!r}")
    return bad


def test_every_label_uses_the_glossary_translation_of_its_terms(built: BuiltDataset) -> None:
    assert violations(glossary(), labels(built)) == []


def test_the_check_reports_a_label_that_breaks_the_glossary() -> None:
    terms = [{"zh": "同比", "en": "year on year"}, {"zh": "产业集群", "en": "industrial cluster"}]
    found = [
        ("metric:a", "产值同比增长", "Output growth"),
        ("metric:b", "产值同比增长", "Output growth, Year on Year"),
        ("chain:c", "服饰产业集群", "Apparel industrial clusters"),
    ]
    assert violations(terms, found) == [
        "metric:a: '产值同比增长' has '同比', but 'Output growth' lacks 'year on year'"
    ]


@pytest.mark.parametrize(
    ("en", "expected"),
    [
        ("key city", ("key city", "key cities")),
        ("major industrial class", ("major industrial class", "major industrial classes")),
        ("GDP", ("gdp", "gdps")),
    ],
)
def test_a_term_matches_the_plural_of_its_last_word(en: str, expected: tuple[str, str]) -> None:
    assert forms(en) == expected


def test_every_term_is_bilingual_unique_and_used(built: BuiltDataset) -> None:
    terms = glossary()
    assert len(terms) >= 20
    for term in terms:
        assert set(term) <= {"zh", "en", "note"}, term
        assert HAN.search(term["zh"]) and not HAN.search(term["en"]), term
    assert [zh for zh, n in Counter(t["zh"] for t in terms).items() if n > 1] == []
    zh_labels = [zh for _, zh, _ in labels(built)]
    unused = [t["zh"] for t in terms if not any(t["zh"] in zh for zh in zh_labels)]
    assert unused == []


def test_every_english_description_has_a_chinese_one(seed_bundle: SeedBundle) -> None:
    missing = [
        i.id for i in seed_bundle.indicators if i.description is not None and not i.description.zh
    ]
    assert missing == []
