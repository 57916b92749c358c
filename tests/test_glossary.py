"""The glossary is enforced: a label that uses a listed Chinese term uses its English term."""

import re
from collections import Counter
from pathlib import Path

import pytest

from app.cli import main
from app.dataset.build import BuiltDataset
from app.dataset.curated import TermSeed
from app.dataset.files import SeedBundle
from app.dataset.glossary import forms, labels, violations

HAN = re.compile(r"[\u3400-\u9fff]")


def test_every_label_uses_the_glossary_translation_of_its_terms(
    seed_bundle: SeedBundle, built: BuiltDataset
) -> None:
    assert violations(seed_bundle.glossary, labels(built)) == []


def test_the_check_reports_a_label_that_breaks_the_glossary() -> None:
    terms = [
        TermSeed(zh="同比", en="year on year"),
        TermSeed(zh="产业集群", en="industrial cluster"),
    ]
    found = [
        ("metric:a", "产值同比增长", "Output growth"),
        ("metric:b", "产值同比增长", "Output growth, Year on Year"),
        ("chain:c", "服饰产业集群", "Apparel industrial clusters"),
    ]
    assert [str(p) for p in violations(terms, found)] == [
        "glossary.toml: metric:a: name: '产值同比增长' has '同比', but 'Output growth' lacks "
        "'year on year'"
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


def test_every_term_is_bilingual_unique_and_used(
    seed_bundle: SeedBundle, built: BuiltDataset
) -> None:
    terms = seed_bundle.glossary
    assert len(terms) >= 20
    for term in terms:
        assert HAN.search(term.zh) and not HAN.search(term.en), term
    assert [zh for zh, n in Counter(t.zh for t in terms).items() if n > 1] == []
    zh_labels = [zh for _, zh, _ in labels(built)]
    unused = [t.zh for t in terms if not any(t.zh in zh for zh in zh_labels)]
    assert unused == []


def test_every_english_description_has_a_chinese_one(seed_bundle: SeedBundle) -> None:
    missing = [
        i.id for i in seed_bundle.indicators if i.description is not None and not i.description.zh
    ]
    assert missing == []


def _seed(seed_dir: Path, db: Path) -> int:
    return main(["seed", "--seed-dir", str(seed_dir), "--database-url", f"sqlite:///{db}"])


def test_the_seed_refuses_a_missing_glossary_and_writes_nothing(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seed_copy / "glossary.toml").unlink()
    assert _seed(seed_copy, tmp_path / "x.sqlite3") == 1
    assert "glossary.toml: file is missing" in capsys.readouterr().err
    assert not (tmp_path / "x.sqlite3").exists()


def test_the_seed_refuses_a_label_that_breaks_the_glossary_naming_record_and_term(
    seed_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    glossary = seed_copy / "glossary.toml"
    text = glossary.read_text(encoding="utf-8")
    glossary.write_text(text + '\n[[term]]\nzh = "株洲"\nen = "Chuchow"\n', encoding="utf-8")
    assert _seed(seed_copy, tmp_path / "x.sqlite3") == 1
    err = capsys.readouterr().err
    assert "entity:zhuzhou: name: '株洲市' has '株洲', but 'Zhuzhou' lacks 'Chuchow'" in err, err
    assert "nothing was written" in err
    assert not (tmp_path / "x.sqlite3").exists()
