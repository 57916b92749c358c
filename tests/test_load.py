"""The seed loader: validates before writing, replaces atomically, is idempotent."""

import hashlib
import os
import shutil
import tomllib
from pathlib import Path

import pytest
from sqlalchemy import text

from app.cli import main
from app.dataset.errors import DatasetError
from app.dataset.load import seed_database
from app.store.engines import readonly_engine
from tests.conftest import SEED_DIR

DOC = "documents/zhuzhou-2021-11-09"


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_seeding_twice_gives_the_same_content_hash(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    first = seed_database(url, SEED_DIR)
    second = seed_database(url, SEED_DIR)
    other = seed_database(f"sqlite:///{tmp_path / 'b.sqlite3'}", SEED_DIR)
    assert first.version == second.version == other.version
    assert first.counts == second.counts
    assert len(first.version) == 64


def test_the_stored_version_is_the_content_hash(seeded_db: tuple[str, object]) -> None:
    url, result = seeded_db
    engine = readonly_engine(url)
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT value FROM dataset_info WHERE key='version'")).scalar()
    engine.dispose()
    assert stored == result.version  # type: ignore[attr-defined]


def test_a_changed_fact_changes_the_version(tmp_path: Path, seed_copy: Path) -> None:
    base = seed_database(f"sqlite:///{tmp_path / 'a.sqlite3'}", SEED_DIR)
    path = seed_copy / "indicators.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace('en = "', 'en = "X', 1), encoding="utf-8"
    )
    changed = seed_database(f"sqlite:///{tmp_path / 'b.sqlite3'}", seed_copy)
    assert changed.version != base.version


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        (f"{DOC}/metrics.toml", 'kind = "actual"', 'kind = "actuall"', "kind"),
        (f"{DOC}/metrics.toml", 'as_written = "', 'as_written = "zz', "as_written"),
        (f"{DOC}/metrics.toml", 'quote = "', 'quote = "not in the article ', "quote"),
        (f"{DOC}/metrics.toml", 'indicator = "', 'indicator = "no-such-', "indicator"),
        (f"{DOC}/entities.toml", 'type = "', 'type = "planet', "type"),
        (f"{DOC}/metrics.toml", 'subject = "', 'subject = "no-such-', "subject"),
        (f"{DOC}/metrics.toml", 'entities = ["', 'entities = ["no-such-', "unknown entity"),
        (f"{DOC}/events.toml", 'entities = ["', 'entities = ["no-such-', "unknown entity"),
        (f"{DOC}/events.toml", 'quote = "', 'quote = "nowhere ', "quote"),
        (f"{DOC}/chains.toml", 'kind = "', 'kind = "galaxy', "kind"),
        ("indicators.toml", 'unit = "', 'unit = "EUR', "unit"),
        (f"{DOC}/document.toml", 'sha256 = "c', 'sha256 = "d', "sha256"),
        (f"{DOC}/source.txt", "株洲", "株州", "sha256"),
        (f"{DOC}/metrics.toml", "[[metric]]", "[[metric]\n", "TOML"),
    ],
)
def test_a_bad_file_is_named_and_leaves_the_old_database(
    tmp_path: Path, seed_copy: Path, file: str, old: str, new: str, expected: str
) -> None:
    db = tmp_path / "facts.sqlite3"
    url = f"sqlite:///{db}"
    seed_database(url, SEED_DIR)
    before = file_digest(db)
    target = seed_copy / file
    content = target.read_text(encoding="utf-8")
    assert old in content
    target.write_text(content.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DatasetError) as info:
        seed_database(url, seed_copy)
    message = str(info.value)
    assert Path(file).name in message
    assert expected in message
    assert file_digest(db) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".building")] == []


def test_a_bad_file_never_creates_a_database(tmp_path: Path, seed_copy: Path) -> None:
    (seed_copy / DOC / "metrics.toml").write_text("[[metric]]\nid = 'X'\n", encoding="utf-8")
    db = tmp_path / "new.sqlite3"
    with pytest.raises(DatasetError) as info:
        seed_database(f"sqlite:///{db}", seed_copy)
    assert "metrics.toml" in str(info.value)
    assert "[[metric]] #1" in str(info.value)
    assert not db.exists()


def test_the_seed_command_reports_errors_without_a_traceback(
    tmp_path: Path, seed_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (seed_copy / "indicators.toml").write_text("nonsense = 1\n", encoding="utf-8")
    code = main(
        [
            "seed",
            "--seed-dir",
            str(seed_copy),
            "--database-url",
            f"sqlite:///{tmp_path / 'x.sqlite3'}",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1
    assert "indicators.toml" in err
    assert "nothing was written" in err
    assert "Traceback" not in err


def test_the_seed_command_prints_the_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["seed", "--database-url", f"sqlite:///{tmp_path / 'x.sqlite3'}"])
    out = capsys.readouterr().out
    assert code == 0
    assert "dataset version" in out
    assert "metric" in out


# Every file a seed folder must have (seed/README.md): the seed command refuses a folder missing
# any of them, names it, and writes nothing.
REQUIRED_FILES = [
    "indicators.toml",
    "glossary.toml",
    f"{DOC}/document.toml",
    f"{DOC}/source.txt",
    f"{DOC}/entities.toml",
    f"{DOC}/chains.toml",
    f"{DOC}/metrics.toml",
    f"{DOC}/events.toml",
    f"{DOC}/coverage.toml",
]


def _seed_command(seed_dir: Path, db: Path) -> int:
    return main(["seed", "--seed-dir", str(seed_dir), "--database-url", f"sqlite:///{db}"])


@pytest.mark.parametrize("missing", REQUIRED_FILES)
def test_a_missing_curated_file_is_named_and_leaves_the_database_byte_identical(
    tmp_path: Path, seed_copy: Path, missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "db").mkdir()
    db = tmp_path / "db" / "facts.sqlite3"
    seed_database(f"sqlite:///{db}", SEED_DIR)
    before = db.read_bytes()
    (seed_copy / missing).unlink()
    assert _seed_command(seed_copy, db) == 1
    err = capsys.readouterr().err
    assert f"{Path(missing).name}: file is missing" in err and "missing" in err, err
    assert "nothing was written" in err
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir()] == ["facts.sqlite3"]


def test_a_seed_folder_the_coverage_check_fails_is_refused_and_changes_nothing(
    tmp_path: Path, seed_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "facts.sqlite3"
    seed_database(f"sqlite:///{db}", SEED_DIR)
    before = db.read_bytes()
    coverage = seed_copy / DOC / "coverage.toml"
    text = coverage.read_text(encoding="utf-8")
    entry = '[[ignore]]\ncontext = "一如既往"\nparagraph = 1\n'
    assert entry in text
    coverage.write_text(text.replace(entry, "", 1).replace("reason = ", "# ", 1), "utf-8")
    assert main(["coverage", "--seed-dir", str(seed_copy)]) == 1
    capsys.readouterr()
    assert _seed_command(seed_copy, db) == 1
    err = capsys.readouterr().err
    assert "body paragraph 1: number '一'" in err, err
    assert db.read_bytes() == before
    with pytest.raises(DatasetError, match="covered by no fact"):
        seed_database(f"sqlite:///{tmp_path / 'new.sqlite3'}", seed_copy)
    assert not (tmp_path / "new.sqlite3").exists()
    assert main(["check", "--seed-dir", str(seed_copy)]) == 1  # check runs what seed runs


# A curated path the seed cannot read: how it is broken, and the reason the error gives.
UNREADABLE = {
    "a directory": "a directory, not a file",
    "invalid UTF-8": "not UTF-8: 'utf-8' codec can't decode byte 0xff",
    "a byte-order mark": "starts with a UTF-8 byte-order mark; save it as UTF-8 without one",
    "a dangling symlink": "a symbolic link to nowhere.toml, which does not exist",
    "no read permission": "not readable: permission denied",
}


def _break(path: Path, kind: str) -> None:
    if kind == "a directory":
        path.unlink()
        path.mkdir()
        (path / "inside.toml").write_text("", encoding="utf-8")
    elif kind == "invalid UTF-8":
        path.write_bytes(path.read_bytes() + b"\xff\n")
    elif kind == "a byte-order mark":  # as Windows Notepad saves UTF-8
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    elif kind == "a dangling symlink":
        path.unlink()
        path.symlink_to("nowhere.toml")
    else:
        if os.geteuid() == 0:  # root reads any file: a permission cannot be denied to it
            pytest.skip("running as root, which no file permission keeps from reading")
        path.chmod(0)


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("unreadable") / "facts.sqlite3"
    seed_database(f"sqlite:///{db}", SEED_DIR)
    return db


@pytest.mark.parametrize("kind", list(UNREADABLE))
@pytest.mark.parametrize(
    "file", ["indicators.toml", "glossary.toml", f"{DOC}/metrics.toml", f"{DOC}/source.txt"]
)
def test_an_unreadable_curated_file_is_one_error_naming_it_and_the_database_is_unchanged(
    tmp_path: Path,
    seed_copy: Path,
    seeded_file: Path,
    file: str,
    kind: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (tmp_path / "db").mkdir()
    db = tmp_path / "db" / "facts.sqlite3"
    shutil.copyfile(seeded_file, db)
    before = db.read_bytes()
    _break(seed_copy / file, kind)
    assert _seed_command(seed_copy, db) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 1 problem(s) in the curated data:\n"), err
    assert f"seed/{file}: {UNREADABLE[kind]}" in err, err
    assert "nothing was written" in err
    assert db.read_bytes() == before
    assert [p.name for p in db.parent.iterdir()] == ["facts.sqlite3"]


@pytest.mark.parametrize(
    ("file", "table"),
    [("metrics.toml", "metric"), ("events.toml", "event"), ("entities.toml", "entity")],
)
def test_a_duplicate_id_names_the_files_that_have_it(
    seed_copy: Path, file: str, table: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = seed_copy / DOC / file
    text = path.read_text(encoding="utf-8")
    first = text.index(f"[[{table}]]")
    end = text.find(f"[[{table}]]", first + 1)
    block = text[first:end] if end > 0 else text[first:]
    path.write_text(text + "\n" + block, encoding="utf-8")  # the first record again
    record_id = tomllib.loads(block)[table][0]["id"]
    assert main(["check", "--seed-dir", str(seed_copy)]) == 1
    err = capsys.readouterr().err
    assert (
        f"{table} records: id={record_id!r}: id: duplicate id (2 records: {DOC}/{file})" in err
    ), err
