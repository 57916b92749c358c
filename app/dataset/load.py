"""Write a built dataset: validate everything first, build aside, check, then swap in atomically.

SQLite is built in a file of its own beside the target (`.<name>.<pid>.<token>.building`), held
under an exclusive flock for as long as the build runs, and renamed over the target at the end.
A seed that is killed leaves that file (and its `-journal`) behind; every later seed removes such
leftovers, and only those whose lock it can take: the kernel drops a dead process's lock, and a
live seed's file stays locked (PIDs are never trusted: they are reused, and differ between
containers sharing a volume).
"""

import fcntl
import glob
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, delete, insert, text
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, select

from app.dataset.build import BuiltDataset, build
from app.dataset.coverage import require_coverage
from app.dataset.files import load_seed
from app.dataset.glossary import require_glossary
from app.dataset.roles import check_reader_role, grant_reader
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
    """Read, validate and resolve all curated files, and check that every number in the bodies
    is covered and every label keeps the glossary, without touching any database; raise
    DatasetError listing what is wrong."""
    seed = load_seed(seed_dir)
    built = build(seed)
    require_coverage(seed, built)
    require_glossary(seed, built)
    return built


def seed_database(url: str, seed_dir: Path, reader_role: str | None = None) -> SeedResult:
    """Validate the seed files, then replace the database content in one atomic step."""
    return write_dataset(url, prepare(seed_dir), reader_role)


def write_dataset(url: str, built: BuiltDataset, reader_role: str | None = None) -> SeedResult:
    """Replace the database content with a built dataset in one atomic step; on PostgreSQL,
    reader_role (created if missing) is left able to SELECT and nothing else."""
    if is_sqlite(url):
        if reader_role is not None:
            raise ValueError("a reader role is for PostgreSQL; SQLite is read-only by file mode")
        _write_sqlite(sqlite_path(url), built)
    else:
        _write_transactional(url, built, reader_role)
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


def remove_stale_builds(path: Path) -> list[Path]:
    """Delete the build files killed seeds left beside path; a live seed's are never touched."""
    removed: list[Path] = []
    pattern = glob.escape(f".{path.name}.") + "*.building"
    for candidate in sorted(path.parent.glob(pattern)):
        try:
            fd = os.open(candidate, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.fstat(fd).st_ino != os.stat(candidate).st_ino:
                continue  # replaced since we opened it: not the file we hold
        except (BlockingIOError, FileNotFoundError):
            continue  # locked by a live seed, or gone
        else:
            for leftover in (candidate, *_companions(candidate)):
                if leftover.exists():
                    leftover.unlink(missing_ok=True)
                    removed.append(leftover)
        finally:
            os.close(fd)
    for journal in sorted(path.parent.glob(pattern + "-journal")):
        if not journal.with_name(journal.name.removesuffix("-journal")).exists():
            journal.unlink(missing_ok=True)  # its database is gone: nobody can use it
            removed.append(journal)
    return removed


def _companions(db: Path) -> list[Path]:
    return [db.with_name(db.name + suffix) for suffix in ("-journal", "-wal", "-shm")]


def claim_build_file(path: Path) -> tuple[Path, int]:
    """A new build file beside path and an open descriptor holding its exclusive lock.

    The lock marks the build as alive until this process ends, however it ends. Creating a file
    and locking it are two steps, so another seed's cleanup may take the lock first and delete
    the file in between: then the path no longer names the file we locked, and a fresh name is
    claimed.
    """
    while True:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.building")
        fd = os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            if os.stat(tmp).st_ino == os.fstat(fd).st_ino:
                return tmp, fd
        except FileNotFoundError:
            pass
        os.close(fd)


def _sync_directory(folder: Path) -> None:
    """Make a rename in folder durable (POSIX: the directory entry is the directory's data)."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_sqlite(path: Path, built: BuiltDataset) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_builds(path)
    tmp, lock = claim_build_file(path)
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
        _sync_directory(path.parent)
    finally:
        for leftover in (tmp, *_companions(tmp)):
            leftover.unlink(missing_ok=True)
        os.close(lock)  # after SQLite closed the file: closing an fd drops its POSIX locks


def _write_transactional(url: str, built: BuiltDataset, reader_role: str | None = None) -> None:
    if reader_role is not None:
        check_reader_role(url, reader_role)
    upgrade(url)
    engine = writable_engine(url)
    try:
        with Session(engine) as session:
            for table in reversed(SQLModel.metadata.sorted_tables):
                session.execute(delete(table))
            _insert(session, built)
            if reader_role is not None:
                grant_reader(session.connection(), reader_role)
            session.flush()
            session.commit()
        _verify(engine, built)
    finally:
        engine.dispose()
