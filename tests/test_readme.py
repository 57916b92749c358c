"""The README is tested like code: endpoints, settings and commands match what the code does."""

import re
import shlex
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.cli import parser
from app.config import PROJECT_ROOT, Settings

README = PROJECT_ROOT / "README.md"
CI_RUN = PROJECT_ROOT / ".ci" / "run"
# Pages outside the OpenAPI document that the endpoint tables may also list.
UNDOCUMENTED_PAGES = {
    "/openapi.json",
    "/docs",
    "/redoc",
    "/",
    "/embed/metrics/{id}",
    "/embed/metrics/{id}/badge.svg",
    "/embed/indicators/{id}/chart",
}
ENDPOINT = re.compile(r"(GET|HEAD|OPTIONS|POST|PUT|PATCH|DELETE) (/\S*)")
ENV_NAME = re.compile(r"[A-Z][A-Z0-9_]*")

Table = list[dict[str, str]]


def _cell(text: str) -> str:
    return text.strip().strip("`").strip()


def tables(markdown: str) -> list[Table]:
    """Every pipe table of a markdown text, as rows keyed by the header's lower-cased cells."""
    found: list[Table] = []
    lines = markdown.splitlines()
    for i in range(len(lines) - 1):
        header, rule = lines[i].strip(), lines[i + 1].strip()
        if not (header.startswith("|") and re.fullmatch(r"\|(\s*:?-+:?\s*\|)+", rule)):
            continue
        keys = [_cell(c).lower() for c in header.strip("|").split("|")]
        rows: Table = []
        for line in lines[i + 2 :]:
            if not line.strip().startswith("|"):
                break
            cells = [_cell(c) for c in line.strip().strip("|").split("|")]
            rows.append(dict(zip(keys, cells, strict=False)))
        found.append(rows)
    return found


def first_column(table: Table) -> list[str]:
    return [next(iter(row.values()), "") for row in table]


def fenced_blocks(markdown: str) -> list[str]:
    """The bodies of the ``` code blocks."""
    return re.findall(r"^```[^\n]*\n(.*?)^```", markdown, flags=re.M | re.S)


def labelled_command(markdown: str, label: str) -> str:
    """The command line after a `# <label>:` comment line inside a code block."""
    found = []
    for block in fenced_blocks(markdown):
        lines = block.splitlines()
        for i, line in enumerate(lines):
            if re.match(rf"#\s*{label}\s*:", line.strip()) and i + 1 < len(lines):
                found.append(lines[i + 1].strip())
    assert len(found) == 1, f"README needs one code block line after a '# {label}:' comment"
    return found[0]


def ci_variable(script: str, name: str) -> str:
    """The value a shell assignment `NAME=...` gives in the CI script."""
    values = [
        shlex.split(line)[0].split("=", 1)[1]
        for line in script.splitlines()
        if re.match(rf"\s*(?:readonly\s+)?{name}=", line)
    ]
    assert len(values) == 1, f".ci/run must assign {name} exactly once"
    return values[0]


@pytest.fixture(scope="module")
def readme() -> str:
    return README.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def ci_script() -> str:
    return CI_RUN.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def endpoint_rows(readme: str) -> list[tuple[str, str]]:
    """(method, path) of every row of the README's endpoint table(s)."""
    rows = []
    for table in tables(readme):
        for cell in first_column(table):
            match = ENDPOINT.fullmatch(cell)
            if match:
                rows.append((match.group(1), match.group(2)))
    assert rows, "README has no endpoint table (first column like `GET /v1/metrics`)"
    return rows


@pytest.fixture(scope="module")
def settings_table(readme: str) -> Table:
    """The README table whose first column holds environment variable names."""
    candidates = [
        t for t in tables(readme) if t and all(ENV_NAME.fullmatch(c) for c in first_column(t))
    ]
    assert len(candidates) == 1, "README needs one settings table (first column like DATABASE_URL)"
    return candidates[0]


@pytest.fixture(scope="module")
def documented_gets(client: TestClient) -> set[str]:
    """The GET paths of the OpenAPI document."""
    document: dict[str, Any] = client.get("/openapi.json").json()
    return {path for path, ops in document["paths"].items() if "get" in ops}


def test_the_table_parser_reads_a_table() -> None:
    text = "x\n| a | b |\n| --- | :-: |\n| `GET /x` | y |\n| z | w |\nafter\n"
    assert tables(text) == [[{"a": "GET /x", "b": "y"}, {"a": "z", "b": "w"}]]


def test_every_get_operation_is_in_the_readme_endpoint_table(
    endpoint_rows: list[tuple[str, str]], documented_gets: set[str]
) -> None:
    listed = {path for method, path in endpoint_rows if method == "GET"}
    assert sorted(documented_gets - listed) == []


def test_every_readme_endpoint_exists(
    endpoint_rows: list[tuple[str, str]], documented_gets: set[str]
) -> None:
    unknown = [
        f"{method} {path}"
        for method, path in endpoint_rows
        if method != "GET" or path not in documented_gets | UNDOCUMENTED_PAGES
    ]
    assert unknown == []


def test_every_readme_endpoint_is_listed_once(endpoint_rows: list[tuple[str, str]]) -> None:
    assert len(endpoint_rows) == len(set(endpoint_rows))


def test_every_setting_is_in_the_readme_settings_table(settings_table: Table) -> None:
    listed = set(first_column(settings_table))
    fields = {name.upper() for name in Settings.model_fields}
    assert sorted(fields - listed) == [], "settings missing from the README"
    assert sorted(listed - fields) == [], "README lists settings that app.config does not read"


def _readme_default(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value).replace(str(PROJECT_ROOT), "<project>")


def test_the_readme_settings_defaults_are_the_code_defaults(settings_table: Table) -> None:
    assert all("default" in row for row in settings_table), "the settings table needs a default"
    readme_defaults = {first_column([row])[0]: row["default"] for row in settings_table}
    code_defaults = {
        name.upper(): _readme_default(field.default)
        for name, field in Settings.model_fields.items()
    }
    assert readme_defaults == code_defaults


@pytest.mark.parametrize("label", ["run", "test"])
def test_the_readme_command_is_the_one_ci_runs(readme: str, ci_script: str, label: str) -> None:
    line = labelled_command(readme, label)
    command = line.split("&&")[-1].strip()
    assert command == ci_variable(ci_script, f"{label.upper()}_COMMAND")
    # CI runs the variable, not a copy of its text.
    assert re.search(rf"^\s*[^#\n]*\$\{{?{label.upper()}_COMMAND\b", ci_script, flags=re.M)


def test_ci_prepares_the_test_command_as_the_readme_says(readme: str, ci_script: str) -> None:
    steps = [step.strip() for step in labelled_command(readme, "test").split("&&")]
    missing = [step for step in steps[:-1] if step not in ci_script]
    assert missing == [], "README set-up steps that .ci/run does not take"


def test_the_test_command_is_exactly_the_one_the_project_agreed_on(ci_script: str) -> None:
    assert ci_variable(ci_script, "TEST_COMMAND") == ".venv/bin/python -m pytest"


def test_ci_run_is_an_executable_bash_script_that_stops_on_errors(ci_script: str) -> None:
    assert ci_script.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in ci_script
    assert CI_RUN.stat().st_mode & 0o111


def test_every_cli_command_the_readme_names_exists(
    readme: str, capsys: pytest.CaptureFixture[str]
) -> None:
    named = sorted(set(re.findall(r"zhuzhou-facts (\w+)", readme)))
    assert named, "README names no zhuzhou-facts command"
    unknown = []
    for name in named:
        try:
            parser().parse_args([name])
        except SystemExit:
            unknown.append(name)
    capsys.readouterr()
    assert unknown == []


def test_relative_links_in_the_readme_resolve(readme: str) -> None:
    links = set(re.findall(r"\]\(([^)#\s]+)\)", readme))
    broken = [p for p in links if not re.match(r"[a-z]+:", p) and not (README.parent / p).exists()]
    assert broken == []
