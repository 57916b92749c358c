"""The loaded dataset as the server sees it: read-only engine, version, reseed and fault detection,
and the readiness probe."""

import os
import threading
import time
from dataclasses import dataclass, field

import anyio.to_thread
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from app.config import DATABASE_TIMEOUT
from app.store.engines import is_sqlite, readonly_engine, sqlite_path
from app.store.faults import FaultLog
from app.store.info import dataset_version
from app.store.migrations import head_revision
from app.store.reader import VERSION_SQL, Reader
from app.store.threads import Unanswered

# The SQLite file is stat()ed at most this often by the request path (a stat costs about as much
# as answering a repeat from memory): a reseed is seen within this long. bench/analysis.md.
STAT_INTERVAL = 0.001

# PRAGMA quick_check reads the whole file: readiness runs it for every new file at once and
# otherwise at most this often, so a probe every second costs one check a minute.
INTEGRITY_INTERVAL = 60.0

Signature = tuple[int, int, int, int]  # inode, size, mtime, ctime (a chmod changes ctime)


@dataclass(frozen=True)
class Readiness:
    """What /readyz reports: ready or not, why not, and what is served."""

    ready: bool
    detail: str
    version: str | None = None
    revision: str | None = None


@dataclass
class DatasetState:
    """Holds the request-path engine; notices a reseed or a fault and recovers from it."""

    url: str
    check_interval: float = 1.0
    timeout: float = DATABASE_TIMEOUT  # PostgreSQL: seconds a request waits on the server
    engine: Engine = field(init=False)
    reader: Reader = field(init=False)
    version: str | None = field(init=False, default=None)
    faults: FaultLog = field(init=False)  # the current fault episode, logged at start and end
    _path: str | None = field(init=False, default=None)  # str: os.stat is faster on it
    _signature: Signature | None = field(init=False, default=None)
    _checked: float = field(init=False, default=0.0)
    _stat_at: float = field(init=False, default=0.0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)
    _probe: tuple[Signature | None, float, str | None] | None = field(init=False, default=None)
    _probe_lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._path = str(sqlite_path(self.url)) if is_sqlite(self.url) else None
        where = make_url(self.url).render_as_string(hide_password=True)
        self.faults = FaultLog(where, self.readiness, self.check_interval)
        self._open()
        self._load()

    @property
    def fault(self) -> str | None:
        """The cause of the current fault episode (None when healthy)."""
        return self.faults.fault

    def _open(self) -> None:
        self.engine = readonly_engine(self.url, self.timeout)
        self.reader = Reader(self.engine, self.faults, self.timeout)

    def _stat(self) -> Signature | None:
        if self._path is None:
            return None
        try:
            st = os.stat(self._path)
        except OSError:
            return None
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def _load(self) -> None:
        self._signature = self._stat()
        try:
            self.version = dataset_version(self.reader)
        except Exception:
            self.version = None  # the reader has reported the fault
        self._checked = time.monotonic()

    def current_version(self) -> str | None:
        """The version now served; a replaced SQLite file or a reseeded PostgreSQL is noticed."""
        if self._path is None:
            # PostgreSQL: re-read at most every check_interval, in a thread of its own, so no
            # request waits on the network (or on a server that is down) for this view; a
            # response is labelled with the version its own snapshot read, not with this one.
            stale = time.monotonic() - self._checked >= self.check_interval
            if stale and self._lock.acquire(blocking=False):
                self._checked = time.monotonic()
                threading.Thread(target=self._refresh, daemon=True).start()
            return self.version
        now = time.monotonic()
        if now - self._stat_at < STAT_INTERVAL:
            return self.version
        self._stat_at = now
        if self._stat() == self._signature:
            return self.version
        with self._lock:
            if self._stat() != self._signature:
                # A new, changed or missing file: connections to the old one would go on
                # reading it (or keep failing), so open the path afresh.
                self.engine.dispose()
                self._open()
                self._load()
        return self.version

    def _refresh(self) -> None:
        try:
            self._load()
        finally:
            self._lock.release()

    async def check(self) -> Readiness:
        """readiness() off the event loop; on PostgreSQL answered within the request timeout."""
        if self._path is not None:
            return await anyio.to_thread.run_sync(self.readiness)
        try:
            return await self.reader.bound.call(self.readiness)
        except Unanswered as exc:
            return Readiness(False, f"Database unavailable: {exc}.")

    def readiness(self) -> Readiness:
        """The truth about the database now: the file on disk (not the one opened earlier),
        openable, at the migrations' head, a dataset version, every table answering, and an
        integrity probe. Passing ends a fault episode (app.store.faults)."""
        mark = self.faults.mark()
        found = self._readiness()
        if found.ready:
            self.faults.healed(mark, found.version)
        return found

    def _readiness(self) -> Readiness:
        if self._path is not None:
            self.current_version()
            if self._signature is None:
                return Readiness(False, f"Database unavailable: no readable file at {self._path}.")
        expected = head_revision()
        try:
            with self.engine.connect() as conn:
                revision = MigrationContext.configure(conn).get_current_revision()
                if revision != expected:
                    return Readiness(False, f"Schema at revision {revision}, expected {expected}.")
                found = conn.exec_driver_sql(VERSION_SQL).first()
                for table in SQLModel.metadata.sorted_tables:  # e.g. one the role may not read
                    conn.exec_driver_sql(f'SELECT 1 FROM "{table.name}" LIMIT 0').all()
                damage = self._integrity(conn)
        except sa_exc.DBAPIError as exc:
            return Readiness(False, f"Database unavailable: {type(exc.orig).__name__}.")
        if found is None:
            return Readiness(False, "No dataset is loaded; run the seed command.")
        if damage is not None:
            return Readiness(False, f"Database damaged: {damage}.")
        return Readiness(True, "ready", str(found[0]), revision)

    def _integrity(self, conn: Connection) -> str | None:
        """PRAGMA quick_check's complaint (None when ok), on the schedule above; SQLite only."""
        if self._path is None:
            return None
        with self._probe_lock:
            now, signature = time.monotonic(), self._signature
            if self._probe is not None:
                seen, when, result = self._probe
                if seen == signature and now - when < INTEGRITY_INTERVAL:
                    return result
            try:
                rows = conn.exec_driver_sql("PRAGMA quick_check(1)").all()
                result = None if rows == [("ok",)] else str(rows[0][0] if rows else "no answer")
            except sa_exc.DBAPIError as exc:
                result = f"{type(exc.orig).__name__}: {exc.orig}"
            self._probe = (signature, now, result)
            return result

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
