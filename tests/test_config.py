"""Settings: what the environment may say, and what it is refused."""

import re

import pytest
from pydantic import ValidationError

from app.cli import main
from app.config import Settings, get_settings


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("", ""),
        ("/", ""),
        ("/facts", "/facts"),
        ("/facts/", "/facts"),
        ("/a/b-c.d_~", "/a/b-c.d_~"),
    ],
)
def test_root_path_is_a_path_prefix_without_a_trailing_slash(given: str, kept: str) -> None:
    assert Settings(root_path=given).root_path == kept


@pytest.mark.parametrize(
    "given", ["facts", "/a b", "/a//b", "/..", "/x/./y", "/é", "/a?b", "/a%2F"]
)
def test_root_path_refuses_what_is_not_a_plain_prefix(given: str) -> None:
    with pytest.raises(ValidationError, match="ROOT_PATH must be"):
        Settings(root_path=given)


@pytest.mark.parametrize(
    "given",
    [
        "sqlite:///var/facts.sqlite3",
        "sqlite+pysqlite:////abs/facts.sqlite3",
        "postgresql://postgres@127.0.0.1:5432/app",
        "postgresql+psycopg://u:p@db/facts",
    ],
)
def test_database_url_takes_sqlite_files_and_postgresql(given: str) -> None:
    assert Settings(database_url=given).database_url == given


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("sqlte:///x.db", "unsupported database 'sqlte'"),
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("postgresql+psycopg2://u@h/db", "unsupported database 'postgresql+psycopg2'"),
        ("sqlite://", "must name a file"),
        ("sqlite:///:memory:", "must name a file"),
        ("postgresql://u@h:abc/db", "not a database URL"),
        ("nonsense", "not a database URL"),
        ("sqlite://u:pw@/x.db", "names a file and nothing else"),
        ("sqlite:///file::memory:?cache=shared", "must name a file by its path"),
        ("sqlite:///file:x?mode=memory&uri=true", "must name a file by its path"),
        ("sqlite:///a\nb.db", "must name a file by its path"),
        ("postgresql://u@h:99999/db", "the port must be 1 to 65535, got 99999"),
        ("postgresql://u@h:0/db", "the port must be 1 to 65535, got 0"),
    ],
)
def test_database_url_refuses_what_the_app_cannot_open(given: str, says: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(says)):
        Settings(database_url=given)


@pytest.mark.parametrize("command", [["serve"], ["check"], ["seed"], ["coverage"]])
def test_every_command_reports_a_bad_database_url_in_one_line(
    command: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "sqlte:///x.db")
    get_settings.cache_clear()
    try:
        assert main(command) == 2
    finally:
        get_settings.cache_clear()
    err = capsys.readouterr().err
    assert err.strip() == (
        "error: DATABASE_URL: unsupported database 'sqlte' (use sqlite:///path/to/file.sqlite3 "
        "or postgresql://user@host:port/database)"
    )


def test_seed_refuses_a_bad_database_url_option_before_anything(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["seed", "--database-url", "sqlte:///x.db"])
    assert exit_.value.code == 2  # argparse's usage error
    assert "argument --database-url: unsupported database 'sqlte'" in capsys.readouterr().err


@pytest.mark.parametrize(
    "given",
    [
        "postgresql://u:S3CRET@host:notaport/db",
        "postgresql://u:S3CRET@[::1/db",
        "sqlite://u:S3CRET@/x.db",
        "postgresql+psycopg://u:S3:CR@ET@host:x/db",
    ],
)
def test_a_refused_database_url_is_quoted_without_its_password(given: str) -> None:
    with pytest.raises(ValidationError) as refused:
        Settings(database_url=given)
    assert "S3" not in str(refused.value) and "***" in str(refused.value)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("timeout_request_head", "inf"),
        ("timeout_request_head", "1e12"),
        ("timeout_keep_alive", "100000"),
        ("timeout_graceful_shutdown", "100000"),
        ("database_timeout", "nan"),
    ],
)
def test_a_timeout_has_an_upper_bound(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name.upper(), value)
    with pytest.raises(ValidationError, match=name):
        Settings()
