"""The coverage check: every number token in the body is a fact or an explained ignore."""

from pathlib import Path

import pytest

from app.cli import main
from app.dataset.build import build
from app.dataset.coverage import NUMBER_TOKEN, check_coverage
from app.dataset.files import SeedBundle, load_seed

COVERAGE = "documents/zhuzhou-2021-11-09/coverage.toml"


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("投资100亿元的", ["100亿"]),
        ("1000多万人", ["1000", "万"]),
        ("增加值873.85亿元", ["873.85亿"]),
        ("全国第十、全省第一", ["十", "一"]),
        ("从Ⅲ类提升到Ⅱ类", ["Ⅲ", "Ⅱ"]),
        ("２０２０年", ["２０２０"]),
        ("过千亿元产业集群", ["千亿"]),
        ("5G、人工智能", ["5"]),
        ("没有数字", []),
    ],
)
def test_number_tokens_are_found(text: str, tokens: list[str]) -> None:
    assert [m.group() for m in NUMBER_TOKEN.finditer(text)] == tokens


def test_every_number_in_the_body_is_covered(seed_bundle: SeedBundle) -> None:
    report = check_coverage(seed_bundle, build(seed_bundle))
    assert report.uncovered == []
    assert report.problems == []
    assert len(report.tokens) > 100
    reasons = [t.covered_by for t in report.tokens if t.covered_by.startswith("ignore:")]
    assert all(len(r) > len("ignore: ") + 10 for r in reasons)


def test_header_and_footer_numbers_are_not_indicators(seed_bundle: SeedBundle) -> None:
    report = check_coverage(seed_bundle, build(seed_bundle))
    assert not any(t.text in {"010", "68703033", "2021031015"} for t in report.tokens)


def _drop_first_ignore(seed_copy: Path) -> str:
    path = seed_copy / COVERAGE
    text = path.read_text(encoding="utf-8")
    head, _, rest = text.partition("[[ignore]]")
    _, sep, tail = rest.partition("[[ignore]]")
    dropped = rest.split("context = ")[1].split("\n")[0]
    path.write_text(head + sep + tail, encoding="utf-8")
    return dropped


def test_removing_an_ignore_entry_makes_the_check_fail(
    seed_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dropped = _drop_first_ignore(seed_copy)
    seed = load_seed(seed_copy)
    report = check_coverage(seed, build(seed))
    assert report.uncovered, dropped
    assert main(["coverage", "--seed-dir", str(seed_copy)]) == 1
    assert "UNCOVERED" in capsys.readouterr().out


def test_a_stale_or_useless_ignore_entry_is_reported(seed_copy: Path) -> None:
    path = seed_copy / COVERAGE
    path.write_text(
        path.read_text(encoding="utf-8")
        + '\n[[ignore]]\ncontext = "不在文中的话"\nreason = "stale"\n'
        + '\n[[ignore]]\ncontext = "株洲"\nreason = "covers no number"\n',
        encoding="utf-8",
    )
    seed = load_seed(seed_copy)
    report = check_coverage(seed, build(seed))
    messages = [f"{p.record} {p.message}" for p in report.problems]
    assert any("不在文中的话" in m and "does not occur" in m for m in messages)
    assert any("株洲" in m and "covers no number token" in m for m in messages)
    assert not report.ok


def test_the_coverage_command_passes_on_the_real_data(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["coverage"]) == 0
    assert "0 uncovered" in capsys.readouterr().out
