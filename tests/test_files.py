"""The curated-file reader: every file is required; a file without records says so."""

from pathlib import Path

import pytest

from app.dataset.errors import DatasetError
from app.dataset.files import load_seed

DOC = "documents/zhuzhou-2021-11-09"
RECORD_FILES = [
    ("indicators.toml", "indicator"),
    (f"{DOC}/entities.toml", "entity"),
    (f"{DOC}/chains.toml", "chain"),
    (f"{DOC}/metrics.toml", "metric"),
    (f"{DOC}/events.toml", "event"),
    (f"{DOC}/coverage.toml", "ignore"),
]


@pytest.mark.parametrize(("file", "key"), RECORD_FILES)
def test_a_missing_file_is_one_problem_naming_it(seed_copy: Path, file: str, key: str) -> None:
    (seed_copy / file).unlink()
    with pytest.raises(DatasetError) as info:
        load_seed(seed_copy)
    assert [str(p) for p in info.value.problems] == [f"seed/{file}: file is missing"]


@pytest.mark.parametrize(("file", "key"), RECORD_FILES)
def test_a_file_without_records_must_say_so(seed_copy: Path, file: str, key: str) -> None:
    (seed_copy / file).write_text("# nothing here\n", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_seed(seed_copy)
    assert [p.message for p in info.value.problems] == [
        f"no [[{key}]] records (write `{key} = []` if it has none)"
    ]


def test_an_intentionally_empty_file_is_read_as_no_records(seed_copy: Path) -> None:
    (seed_copy / DOC / "events.toml").write_text("event = []\n", encoding="utf-8")
    (seed_copy / DOC / "coverage.toml").write_text("ignore = []\n", encoding="utf-8")
    seed = load_seed(seed_copy)
    assert seed.documents[0].events == []
    assert seed.documents[0].ignores == []
    assert seed.documents[0].metrics


def test_an_empty_document_toml_is_a_problem_not_a_dropped_document(seed_copy: Path) -> None:
    (seed_copy / DOC / "document.toml").write_text("", encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        load_seed(seed_copy)
    assert {p.file for p in info.value.problems} == {f"seed/{DOC}/document.toml"}
    assert any(p.field == "id" for p in info.value.problems)
