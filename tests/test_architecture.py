"""The structure drawn from the imports: three packages, no circles, nothing importing upward."""

import ast
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "app"
MAX_LINES = 320  # "about 300": a module past this wants splitting

# What each part may import from the project (besides itself). Read top-down: the assembler and
# the command use everything; the HTTP edge reads the store; the build writes the store; the
# store and the shared modules import no part above them.
ALLOWED: dict[str, set[str]] = {
    "app.main": {"app.api", "app.store", "app.dataset", "app.config"},
    "app.cli": {"app.api", "app.dataset", "app.store", "app.config"},
    "app.api": {"app.store", "app.models", "app.vocabulary", "app.tabular", "app.config"},
    "app.dataset": {"app.store", "app.models", "app.vocabulary", "app.tabular", "app.config"},
    "app.store": {"app.models", "app.vocabulary", "app.tabular", "app.config"},
    "app.models": {"app.vocabulary"},
    "app.tabular": set(),
    "app.vocabulary": set(),
    "app.config": set(),
    "app": set(),  # the package's own __init__
}


def _module(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _part(module: str) -> str:
    return next(
        p
        for p in sorted(ALLOWED, key=len, reverse=True)
        if module == p or module.startswith(p + ".")
    )


def _imports(path: Path) -> set[str]:
    """Every app module a file imports, at any depth of the file (lazy imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("app")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            found.add(node.module)
    return found


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path) for name, path in MODULES.items()}


def test_every_module_belongs_to_a_part() -> None:
    assert {_part(m) for m in MODULES} == set(ALLOWED)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_module_imports_only_what_its_part_may(module: str) -> None:
    part = _part(module)
    upward = {i for i in GRAPH[module] if _part(i) != part and _part(i) not in ALLOWED[part]}
    assert not upward, f"{module} imports {sorted(upward)}, above or beside {part}"


def test_no_route_module_reaches_the_build_package_even_indirectly() -> None:
    def reach(start: str) -> set[str]:
        seen: set[str] = set()
        todo = [start]
        while todo:
            for nxt in GRAPH.get(todo.pop(), set()):
                if nxt in MODULES and nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    for module in MODULES:
        if module.startswith(("app.api", "app.store")):
            assert not {m for m in reach(module) if m.startswith("app.dataset")}, module


def test_the_imports_have_no_circles() -> None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for nxt in sorted(GRAPH[module] & MODULES.keys()):
            if state.get(nxt) == 1:
                pytest.fail("import circle: " + " -> ".join([*path, module, nxt]))
            if nxt not in state:
                visit(nxt, [*path, module])
        state[module] = 2

    for module in sorted(MODULES):
        if module not in state:
            visit(module, [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_over_about_300_lines(module: str) -> None:
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_the_graph_reads_real_imports() -> None:
    # The checks above could pass on an empty graph; this one cannot.
    assert "app.store.reader" in GRAPH["app.api.deps"]
    assert "app.api.edge" in GRAPH["app.main"]


def test_the_readme_names_every_module_of_the_three_packages() -> None:
    """The README's Architecture table is the map of app/: a new module goes into it."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Architecture", 1)[1].split("\n## ", 1)[0]
    missing = [
        f"{package}/{path.name}"
        for package in ("api", "store", "dataset")
        for path in sorted((PROJECT_ROOT / "app" / package).glob("*.py"))
        if path.name != "__init__.py" and f"`{path.name}`" not in section
    ]
    assert missing == []
