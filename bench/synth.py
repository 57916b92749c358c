"""Generate the synthetic scale seed: the real document folder cloned N times, ids suffixed, and
each clone about a city of its own (names only: quotes stay verbatim)."""

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


# Each clone is the same article about another city: where a name (or an event's title) says
# 株洲 / Zhuzhou, the clone's says its own city (株洲高新区 → 瑾雯高新区, Zhuzhou → Fadime), so a
# query for the city finds that clone's records, named after it or linked to one that is, as
# many as 株洲 / Zhuzhou find on the real document. Other names are shared, and quotes cannot
# change (their offsets are checked against the same text): whatever they say matches every
# clone, as a broad query should.
CITY = ("株洲", "Zhuzhou")
CITY_CHARACTERS = "岚澜峪瀚鹭屿枫棠桦楠翎琦瑜珂璞瑾芷蘅黛霁雯晖昀旻暄煦炜烨焱淼沁泓"  # 32
SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]  # 70
MAX_COPIES = len(CITY_CHARACTERS) ** 2 - 1


def clone_city(sfx: str) -> tuple[str, str]:
    """The city (two Chinese characters, one English word) of the clone with this suffix;
    株洲 / Zhuzhou for "" (the real document)."""
    if not sfx:
        return CITY
    i = int(sfx.removeprefix("-c"))
    n = len(CITY_CHARACTERS)
    zh = CITY_CHARACTERS[i // n % n] + CITY_CHARACTERS[i % n]
    m = len(SYLLABLES)
    en = SYLLABLES[i % m] + SYLLABLES[i // m % m] + SYLLABLES[(i * 37 + 11) % m]
    return zh, en.capitalize()


def _rename(row: dict[str, Any], field: str, city: tuple[str, str]) -> None:
    names = row.get(field)
    if isinstance(names, dict):
        row[field] = {
            "zh": str(names["zh"]).replace(CITY[0], city[0]),
            "en": str(names["en"]).replace(CITY[1], city[1]),
        }


def _check_cities(folder: Path, copies: int) -> None:
    """No seed file may hold a clone's city, or a query for it would not be selective."""
    if copies > MAX_COPIES:
        raise ValueError(f"at most {MAX_COPIES} copies have distinct cities")
    text = "".join(p.read_text("utf-8") for p in folder.rglob("*") if p.suffix in {".txt", ".toml"})
    folded = text.casefold()
    for i in range(1, copies + 1):
        zh, en = clone_city(clone_suffix(i))
        if zh in text or en.casefold() in folded:
            raise ValueError(f"clone {i}'s city {zh}/{en} occurs in {folder}")


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
    """Write out/ as a seed folder: indicators.toml and glossary.toml unchanged, each document
    cloned `copies` times as separate documents whose every id and reference carries the
    clone's suffix."""
    if out.exists():
        shutil.rmtree(out)
    (out / "documents").mkdir(parents=True)
    for name in ("indicators.toml", "glossary.toml"):
        shutil.copyfile(seed_dir / name, out / name)
    _check_cities(seed_dir, copies)
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
            city = clone_city(sfx)
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
                    _rename(row, "title" if key == "event" else "name", city)
                (target / name).write_text(dumps({key: rows}), "utf-8")
