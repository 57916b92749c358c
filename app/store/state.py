"""The loaded dataset as the server sees it: read-only engine, version, and reseed detection."""

import os
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import Engine

from app.store.engines import is_sqlite, readonly_engine, sqlite_path
from app.store.info import dataset_version
from app.store.reader import Reader


@dataclass
class DatasetState:
    """Holds the request-path engine; notices a reseed and swaps engine and version."""

    url: str
    check_interval: float = 1.0
    engine: Engine = field(init=False)
    reader: Reader = field(init=False)
    version: str | None = field(init=False, default=None)
    _path: str | None = field(init=False, default=None)  # str: os.stat is faster on it
    _signature: tuple[int, int] | None = field(init=False, default=None)
    _checked: float = field(init=False, default=0.0)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._path = str(sqlite_path(self.url)) if is_sqlite(self.url) else None
        self._open()
        self._load()

    def _open(self) -> None:
        self.engine = readonly_engine(self.url)
        self.reader = Reader(self.engine)

    def _stat(self) -> tuple[int, int] | None:
        if self._path is None:
            return None
        try:
            st = os.stat(self._path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns)

    def _load(self) -> None:
        self._signature = self._stat()
        try:
            self.version = dataset_version(self.reader)
        except Exception:
            self.version = None
        self._checked = time.monotonic()

    def current_version(self) -> str | None:
        """The version now served; a replaced SQLite file or a reseeded PostgreSQL is noticed."""
        if self._path is not None:
            if self._stat() == self._signature:
                return self.version
        elif time.monotonic() - self._checked < self.check_interval:
            return self.version
        with self._lock:
            if self._path is not None and self._stat() != self._signature:
                # A new file: connections to the old one would go on reading it.
                self.engine.dispose()
                self._open()
            self._load()
        return self.version

    def close(self) -> None:
        """Release the engine's connections."""
        self.engine.dispose()
