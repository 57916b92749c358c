"""Write a built dataset: validate everything first, build aside, check, then swap in atomically."""

import os
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, select

from app.dataset.build import BuiltDataset, build
from app.dataset.files import load_seed
from app.store.engines import is_sqlite, sqlite_path, writable_engine
from app.store.migrations import upgrade
from app.store.search import FTS_TABLES
from app.store.tables import DatasetInfo


class IntegrityError(RuntimeError):
    """The freshly built database failed its own checks; the old one was kept."""


@dataclass(frozen=True)
class SeedResult:
    """What a seed run wrote."""

    version: str
    counts: dict[str, int]
    database: str


def prepare(seed_dir: Path) -> BuiltDataset:
    """Read, validate and resolve all curated files without touching any database."""
    return build(load_seed(seed_dir))


def seed_database(url: str, seed_dir: Path) -> SeedResult:
    """Validate the seed files, then replace the database content in one atomic step."""
    built = prepare(seed_dir)
    if is_sqlite(url):
        _write_sqlite(sqlite_path(url), built)
    else:
        _write_transactional(url, built)
    return SeedResult(version=built.version, counts=built.counts(), database=_redact(url))


def _redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _insert(session: Session, built: BuiltDataset) -> None:
    # Table by table, parents first, so foreign keys hold; one executemany per table.
    by_table: dict[str, list[dict[str, object]]] = {}
    for row in built.rows:
        by_table.setdefault(str(row.__tablename__), []).append(row.model_dump())
    for table in SQLModel.metadata.sorted_tables:
        values = by_table.pop(table.name, [])
        if values:
            session.execute(insert(table), values)
    if by_table:
        raise IntegrityError(f"rows for unknown tables: {sorted(by_table)}")


def _verify(engine: Engine, built: BuiltDataset) -> None:
    with Session(engine) as session:
        version = session.exec(select(DatasetInfo.value).where(DatasetInfo.key == "version")).one()
        if version != built.version:
            raise IntegrityError(f"stored version {version} != built {built.version}")
        for table, expected in built.counts().items():
            got = session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
            if got != expected:
                raise IntegrityError(f"{table}: {got} rows stored, {expected} built")


def _write_sqlite(path: Path, built: BuiltDataset) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.building")
    tmp.unlink(missing_ok=True)
    url = f"sqlite:///{tmp.as_posix()}"
    try:
        upgrade(url)
        engine = writable_engine(url)
        try:
            with Session(engine) as session:
                _insert(session, built)
                for table in FTS_TABLES:  # index every search term in one pass
                    session.execute(text(f"INSERT INTO {table}({table}) VALUES ('rebuild')"))
                session.commit()
            with engine.connect() as conn:
                if conn.execute(text("PRAGMA integrity_check")).scalar_one() != "ok":
                    raise IntegrityError("PRAGMA integrity_check failed")
                if conn.execute(text("PRAGMA foreign_key_check")).first() is not None:
                    raise IntegrityError("PRAGMA foreign_key_check found dangling references")
            _verify(engine, built)
        finally:
            engine.dispose()
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _write_transactional(url: str, built: BuiltDataset) -> None:
    upgrade(url)
    engine = writable_engine(url)
    try:
        with Session(engine) as session:
            for table in reversed(SQLModel.metadata.sorted_tables):
                session.execute(delete(table))
            _insert(session, built)
            session.flush()
            session.commit()
        _verify(engine, built)
    finally:
        engine.dispose()
