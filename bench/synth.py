"""Generate the synthetic scale seed: the real document folder cloned N times, ids suffixed."""

import datetime as dt
import json
import shutil
import tomllib
from pathlib import Path
from typing import Any

# Record files, their array key, and the fields that hold ids of records of the same document.
RECORD_FILES = {
    "entities.toml": ("entity", ("id", "parent")),
    "chains.toml": ("chain", ("id", "parent", "related", "entities")),
    "metrics.toml": ("metric", ("id", "subject", "entities", "chains")),
    "events.toml": ("event", ("id", "entities", "metrics", "chains")),
}
VERBATIM_FILES = ("coverage.toml",)  # no ids in them: copied byte for byte


def clone_suffix(i: int) -> str:
    """The suffix of clone i (1-based): -c0001, -c0002, ..."""
    return f"-c{i:04d}"


# --- a tiny TOML writer: enough for the seed files (strings, ints, dates, lists, inline tables)


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int | float):
        return repr(v)
    if isinstance(v, str):
        # JSON's escapes (\" \\ \n \t \uXXXX ...) are all valid in a TOML basic string.
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"cannot write {type(v).__name__} as TOML")


def _key(k: str) -> str:
    bare = k.replace("_", "").replace("-", "").isalnum() and k.isascii()
    return k if bare else json.dumps(k)


def dumps(data: dict[str, Any]) -> str:
    """TOML text: plain keys first, then arrays of tables as [[key]] blocks."""
    lines: list[str] = []
    tables = {k: v for k, v in data.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    for k, v in data.items():
        if k not in tables:
            lines.append(f"{_key(k)} = {_value(v)}")
    for k, rows in tables.items():
        for row in rows:
            lines.append("")
            lines.append(f"[[{_key(k)}]]")
            lines.extend(f"{_key(f)} = {_value(x)}" for f, x in row.items())
    return "\n".join(lines) + "\n"


# --- cloning --------------------------------------------------------------------------


def _suffix_refs(row: dict[str, Any], fields: tuple[str, ...], local: set[str], sfx: str) -> None:
    for f in fields:
        v = row.get(f)
        if v is None:
            continue
        if isinstance(v, list):
            row[f] = [_one(x, local, sfx, f) for x in v]
        else:
            row[f] = _one(v, local, sfx, f)


def _one(ref: str, local: set[str], sfx: str, field: str) -> str:
    if ref not in local:
        raise ValueError(f"field {field!r} names {ref!r}, which is not a record of this document")
    return ref + sfx


def generate(seed_dir: Path, out: Path, copies: int) -> None:
    """Write out/ as a seed folder: indicators.toml unchanged, each document cloned `copies`
    times as separate documents whose every id and reference carries the clone's suffix."""
    if out.exists():
        shutil.rmtree(out)
    (out / "documents").mkdir(parents=True)
    shutil.copyfile(seed_dir / "indicators.toml", out / "indicators.toml")
    for folder in sorted(p for p in (seed_dir / "documents").iterdir() if p.is_dir()):
        meta = tomllib.loads((folder / "document.toml").read_text("utf-8"))
        parsed = {
            name: tomllib.loads((folder / name).read_text("utf-8"))
            for name in RECORD_FILES
            if (folder / name).exists()
        }
        local = {
            row["id"]
            for name, (key, _) in RECORD_FILES.items()
            for row in parsed.get(name, {}).get(key, [])
        }
        source = (folder / meta["source_file"]).read_bytes()
        verbatim = {n: (folder / n).read_bytes() for n in VERBATIM_FILES if (folder / n).exists()}
        for i in range(1, copies + 1):
            sfx = clone_suffix(i)
            target = out / "documents" / (meta["id"] + sfx)
            target.mkdir()
            (target / "document.toml").write_text(dumps({**meta, "id": meta["id"] + sfx}), "utf-8")
            (target / meta["source_file"]).write_bytes(source)  # same bytes: sha256 holds
            for name, content in verbatim.items():
                (target / name).write_bytes(content)
            for name, (key, fields) in RECORD_FILES.items():
                if name not in parsed:
                    continue
                rows = [dict(r) for r in parsed[name][key]]
                for row in rows:
                    _suffix_refs(row, fields, local, sfx)
                (target / name).write_text(dumps({key: rows}), "utf-8")
