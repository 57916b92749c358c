"""Alembic environment: metadata from app.store.tables; the URL from the caller or settings."""

from alembic import context
from sqlalchemy import pool
from sqlmodel import SQLModel

import app.store.tables  # noqa: F401  (registers the tables)
from app.config import get_settings
from app.store.engines import writable_engine

config = context.config
target_metadata = SQLModel.metadata

# Objects a migration creates by hand (0006: the search indexes) that autogenerate cannot
# express; FTS5 tables bring shadow tables named after them (search_trigram_data, ...).
HAND_MANAGED = (
    "search_trigram",
    "search_bigram",
    "ix_search_term_grams",
    "ix_search_term_trigrams",
)


def include_name(name: str | None, type_: str, _parents: object) -> bool:
    """Compare everything but the hand-managed objects."""
    return not (type_ in {"table", "index"} and name and name.startswith(HAND_MANAGED))


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a database connection."""
    context.configure(
        url=_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Migrate a live database."""
    engine = writable_engine(_url(), poolclass=pool.NullPool)
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch migration on SQLite copies a table, drops it and renames the copy; with
            # foreign keys enforced the drop of a referenced table fails. Alembic's advice: turn
            # them off around the migration (outside any transaction, where the pragma is a
            # no-op), then check every reference still holds.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the migration: {broken[:5]}")
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
