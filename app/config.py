"""Settings: the one place that reads the environment."""

import re
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A path prefix: segments of RFC 3986 unreserved characters, none of them "." or "..".
ROOT_PATH = re.compile(r"(/(?!\.\.?(?:/|$))[A-Za-z0-9._~-]+)*")

# PostgreSQL: how long a request waits on the server in all (a pooled connection, connecting,
# its queries) before answering 503 (the DATABASE_TIMEOUT default), and what bounds the parts.
DATABASE_TIMEOUT = 10.0
PG_CONNECT_TIMEOUT = 5  # seconds to establish a connection (libpq connect_timeout)
# TCP keepalive probes (libpq keepalives_*): a peer that vanished (a partition, a dead host) is
# noticed after 5 + 2 × 3 = 11 s of silence on an idle connection, not the kernel's two hours;
# tcp_user_timeout (DATABASE_TIMEOUT) drops one whose sent data goes unacknowledged that long.
PG_KEEPALIVES_IDLE = 5
PG_KEEPALIVES_INTERVAL = 2
PG_KEEPALIVES_COUNT = 3
# Connections per process: 10 kept, 20 more when busy. Requests whose server never answered
# (abandoned after DATABASE_TIMEOUT, their threads still waiting) are at most this many; beyond
# that a request is refused at once, so a hung server cannot use up threads.
PG_POOL_SIZE = 10
PG_MAX_OVERFLOW = 20
# The databases the app opens: an SQLite file (the embedded default), PostgreSQL through psycopg 3.
DATABASE_DRIVERS = ("sqlite", "sqlite+pysqlite", "postgresql", "postgresql+psycopg")


# A password in a URL, for messages that quote one: scheme://user:password@ -> user:***@
_PASSWORD = re.compile(r"(//[^/@:]*:)[^/]*@")


def redacted(url: str) -> str:
    """A database URL as a message may show it: its password masked."""
    return _PASSWORD.sub(r"\1***@", url)


def database_url_problem(url: str) -> str | None:
    """What is wrong with a database URL, as a message naming the forms that work (the URL
    quoted with its password masked), or None."""
    forms = "sqlite:///path/to/file.sqlite3 or postgresql://user@host:port/database"
    shown = redacted(url)
    try:
        parsed = make_url(url)
        port = parsed.port
    except (ArgumentError, ValueError):
        return f"not a database URL (use {forms}), got {shown!r}"
    if parsed.drivername not in DATABASE_DRIVERS:
        return f"unsupported database {parsed.drivername!r} (use {forms})"
    if parsed.drivername.startswith("sqlite"):
        file = parsed.database or ""
        if parsed.username or parsed.password or parsed.host or port:
            return f"an SQLite URL names a file and nothing else ({forms}), got {shown!r}"
        if file in ("", ":memory:") or file.startswith("file:") or not file.isprintable():
            return f"an SQLite URL must name a file by its path ({forms}), got {shown!r}"
    elif port is not None and not 0 < port <= 65535:
        return f"the port must be 1 to 65535, got {port}"
    return None


class Settings(BaseSettings):
    """Runtime settings, read from environment variables (no prefix)."""

    # hide_input_in_errors: a refused value (a DATABASE_URL with its password) is never echoed.
    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", frozen=True, hide_input_in_errors=True
    )

    database_url: str = Field(
        default=f"sqlite:///{PROJECT_ROOT / 'var' / 'zhuzhou-facts.sqlite3'}",
        description="SQLAlchemy URL of the database (SQLite file or PostgreSQL).",
    )
    database_timeout: float = Field(
        default=DATABASE_TIMEOUT,
        gt=0,
        le=3600,
        description="PostgreSQL: seconds a request waits on the server in all (a pooled "
        "connection, connecting, its queries) before answering 503; also the server's "
        "statement_timeout.",
    )
    seed_dir: Path = Field(
        default=PROJECT_ROOT / "seed",
        description="Folder of the curated seed files.",
    )
    auto_seed: bool = Field(
        default=True,
        description="Build a missing SQLite database from the seed files at startup.",
    )
    cache_max_age: int = Field(
        default=300, ge=0, le=31536000, description="Seconds for Cache-Control: public, max-age."
    )
    response_cache_size: int = Field(
        default=2048,
        ge=0,
        description="Entries in the in-process response cache (0 turns it off).",
    )
    response_cache_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=0,
        description="Bytes each of the two in-process caches (responses, replayed repeats) may "
        "hold, bodies and keys counted; an entry over a quarter of it is never kept.",
    )
    root_path: str = Field(
        default="",
        description="Path prefix a reverse proxy serves the API under (e.g. /facts); every URL "
        "the API writes carries it. Segments of letters, digits and -._~; a trailing / is "
        "dropped.",
    )
    host: str = Field(default="127.0.0.1", description="Address the serve command binds.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the serve command binds.")
    # The server's limits: `zhuzhou-facts serve` (and so the Docker image) passes them to uvicorn.
    workers: int = Field(default=1, ge=1, description="uvicorn worker processes.")
    forwarded_allow_ips: str = Field(
        default="127.0.0.1",
        description="Proxies whose X-Forwarded-Proto and X-Forwarded-For the serve command "
        "believes (comma-separated addresses or networks; * for any).",
    )
    limit_request_head: int = Field(
        default=32768, ge=1024, description="Bytes of a request head before it is refused (431)."
    )
    timeout_request_head: float = Field(
        default=10.0,
        gt=0,
        le=3600,
        description="Seconds to receive a request head, from its first byte or the end of the "
        "response before it, before closing.",
    )
    timeout_keep_alive: int = Field(
        default=5, ge=1, le=3600, description="Seconds an idle keep-alive connection is kept open."
    )
    timeout_graceful_shutdown: int = Field(
        default=5, ge=1, le=3600, description="Seconds a SIGTERM waits for responses in flight."
    )
    limit_concurrency: int = Field(
        default=1000, ge=1, description="Connections and requests per worker before 503s."
    )
    backlog: int = Field(default=2048, ge=1, description="Connections the kernel queues.")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        problem = database_url_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    @field_validator("root_path")
    @classmethod
    def _path_prefix(cls, value: str) -> str:
        prefix = value.rstrip("/")
        if not ROOT_PATH.fullmatch(prefix):
            raise ValueError(
                "ROOT_PATH must be empty or a path such as /facts: segments of letters, digits "
                "and -._~"
            )
        return prefix


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, read once."""
    return Settings()
