"""Read and validate the curated seed files; every error names its file, record and field.

Every file a document folder holds (seed/README.md) is required: a missing one is an error, never
an empty list, and a file with no records says so (`event = []`).
"""

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from app.dataset.curated import (
    ChainSeed,
    DocumentSeed,
    EntitySeed,
    EventSeed,
    IgnoreSeed,
    IndicatorSeed,
    MetricSeed,
    TermSeed,
)
from app.dataset.errors import DatasetError, SeedProblem

M = TypeVar("M", bound=BaseModel)
GLOSSARY = "glossary.toml"  # the standard English of the source's terms (app/dataset/glossary.py)


@dataclass
class DocumentBundle:
    """Everything curated from one document."""

    folder: Path
    meta: DocumentSeed
    text: str
    entities: list[EntitySeed] = field(default_factory=list)
    chains: list[ChainSeed] = field(default_factory=list)
    metrics: list[MetricSeed] = field(default_factory=list)
    events: list[EventSeed] = field(default_factory=list)
    ignores: list[IgnoreSeed] = field(default_factory=list)


@dataclass
class SeedBundle:
    """All curated files under a seed folder, validated but not yet resolved."""

    root: Path
    indicators: list[IndicatorSeed]
    documents: list[DocumentBundle]
    glossary: list[TermSeed] = field(default_factory=list)


BOM = b"\xef\xbb\xbf"


def _rel(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def unreadable(path: Path, exc: OSError) -> str:
    """Why a curated path cannot be read, in words (a dangling symlink is not "missing")."""
    if isinstance(exc, FileNotFoundError):
        if path.is_symlink():
            return f"a symbolic link to {os.readlink(path)}, which does not exist"
        return "file is missing"
    if isinstance(exc, IsADirectoryError):
        return "a directory, not a file"
    if isinstance(exc, PermissionError):
        return "not readable: permission denied"
    return f"cannot be read: {exc.strerror or exc}"


def _read_text(path: Path, root: Path, problems: list[SeedProblem]) -> str | None:
    """The file's text (UTF-8), or None when it cannot be read (a problem says why)."""
    try:
        content = path.read_bytes()
        if content.startswith(BOM):  # tomllib refuses one, and it would shift every offset
            message = "starts with a UTF-8 byte-order mark; save it as UTF-8 without one"
            problems.append(SeedProblem(_rel(path, root), "-", "-", message))
            return None
        return content.decode("utf-8")
    except OSError as exc:
        problems.append(SeedProblem(_rel(path, root), "-", "-", unreadable(path, exc)))
    except UnicodeDecodeError as exc:
        problems.append(SeedProblem(_rel(path, root), "-", "-", f"not UTF-8: {exc}"))
    return None


def _read_toml(path: Path, root: Path, problems: list[SeedProblem]) -> dict[str, Any] | None:
    """The file's tables, or None when it is missing or unreadable (a problem says which)."""
    content = _read_text(path, root, problems)
    if content is None:
        return None
    try:
        return tomllib.loads(content)
    except tomllib.TOMLDecodeError as exc:
        problems.append(SeedProblem(_rel(path, root), "-", "-", f"not valid TOML: {exc}"))
    return None


def _validate(
    model: type[M],
    path: Path,
    root: Path,
    key: str,
    data: dict[str, Any],
    problems: list[SeedProblem],
) -> list[M]:
    """The records under key, each validated; an empty list only when the file says so."""
    rows = data.get(key, [])
    name = _rel(path, root)
    unknown = set(data) - {key}
    for extra in sorted(unknown):
        problems.append(
            SeedProblem(name, "-", extra, f"unknown top-level key (expected [[{key}]])")
        )
    if not isinstance(rows, list):
        problems.append(SeedProblem(name, "-", key, f"must be an array of tables [[{key}]]"))
        return []
    if not rows and key not in data:
        problems.append(
            SeedProblem(name, "-", key, f"no [[{key}]] records (write `{key} = []` if it has none)")
        )
    out: list[M] = []
    for i, row in enumerate(rows):
        record = f"[[{key}]] #{i + 1}"
        if isinstance(row, dict) and isinstance(row.get("id"), str):
            record += f" id={row['id']!r}"
        try:
            out.append(model.model_validate(row))
        except ValidationError as exc:
            for err in exc.errors():
                loc = ".".join(str(p) for p in err["loc"]) or "-"
                problems.append(SeedProblem(name, record, loc, err["msg"]))
    return out


def _part(
    folder: Path,
    root: Path,
    problems: list[SeedProblem],
    filename: str,
    key: str,
    model: type[M],
) -> list[M]:
    path = folder / filename
    data = _read_toml(path, root, problems)
    return [] if data is None else _validate(model, path, root, key, data, problems)


def load_seed(root: Path) -> SeedBundle:
    """Read every curated file under root; raise DatasetError listing all problems."""
    problems: list[SeedProblem] = []
    if not root.is_dir():
        raise DatasetError([SeedProblem(str(root), "-", "-", "seed folder does not exist")])
    indicators = _part(root, root, problems, "indicators.toml", "indicator", IndicatorSeed)
    glossary = _part(root, root, problems, GLOSSARY, "term", TermSeed)
    documents: list[DocumentBundle] = []
    doc_root = root / "documents"
    try:
        folders = sorted(p for p in doc_root.iterdir() if p.is_dir()) if doc_root.is_dir() else []
        why = "no document folders"
    except OSError as exc:
        folders, why = [], unreadable(doc_root, exc)
    if not folders:
        problems.append(SeedProblem(_rel(doc_root, root), "-", "-", why))
    for folder in folders:
        meta_path = folder / "document.toml"
        meta_data = _read_toml(meta_path, root, problems)
        if meta_data is None:
            continue
        metas = _validate(
            DocumentSeed, meta_path, root, "document", {"document": [meta_data]}, problems
        )
        if not metas:
            continue
        meta = metas[0]
        text = _read_text(folder / meta.source_file, root, problems)
        if text is None:
            continue
        documents.append(
            DocumentBundle(
                folder=folder,
                meta=meta,
                text=text,
                entities=_part(folder, root, problems, "entities.toml", "entity", EntitySeed),
                chains=_part(folder, root, problems, "chains.toml", "chain", ChainSeed),
                metrics=_part(folder, root, problems, "metrics.toml", "metric", MetricSeed),
                events=_part(folder, root, problems, "events.toml", "event", EventSeed),
                ignores=_part(folder, root, problems, "coverage.toml", "ignore", IgnoreSeed),
            )
        )
    if problems:
        raise DatasetError(problems)
    return SeedBundle(root=root, indicators=indicators, documents=documents, glossary=glossary)
