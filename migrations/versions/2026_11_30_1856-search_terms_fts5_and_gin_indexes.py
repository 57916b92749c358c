"""search terms, FTS5 and GIN indexes

search_entry is rebuilt (an integer key in type-then-id order replaces the one text column) and
search_term holds every text a record is found by. Both are derived data: the seed, which always
runs after migrating, refills them.

Autogenerate cannot express the indexes over search_term, so they are written here by hand and
migrations/env.py leaves them out of its comparison (HAND_MANAGED):

- SQLite: two external-content FTS5 tables over search_term. search_trigram indexes `text` with
  the trigram tokenizer (substrings of 3+ characters, by phrase query); search_bigram indexes
  `grams` (each bigram a token: the ascii tokenizer splits on spaces only, since every ASCII
  punctuation character is declared a token character and every other character is one
  already) for 2-character queries; detail=none, a bigram is looked up alone. No triggers: the
  seed, the only writer, fills both with FTS5's 'rebuild' after inserting the terms (one pass,
  about 11 times faster than a trigger per row).
- PostgreSQL: two GIN indexes, over the bigrams (string_to_array(grams, ' '), for 2-character
  queries) and over the trigrams of `text` (search_trigrams(text), an immutable SQL function
  defined here, for 3+ characters). pg_trgm is not used: it takes only what the database locale
  calls alphanumeric, so in a C-locale database a Chinese text has no trigrams at all.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 18:56:08.715786
"""

import string
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


BIGRAM_TOKENIZER = "ascii tokenchars " + _quoted(string.punctuation)
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_trigram USING fts5(text, content='search_term', "
    "content_rowid='key', columnsize=0, tokenize='trigram case_sensitive 1')",
    "CREATE VIRTUAL TABLE search_bigram USING fts5(grams, content='search_term', "
    f"content_rowid='key', columnsize=0, detail=none, tokenize={_quoted(BIGRAM_TOKENIZER)})",
]
SQLITE_DOWN = ["DROP TABLE search_bigram", "DROP TABLE search_trigram"]
POSTGRES_UP = [
    "CREATE INDEX ix_search_term_grams ON search_term USING gin (string_to_array(grams, ' '))",
    "CREATE FUNCTION search_trigrams(t text) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE "
    "AS $$ SELECT coalesce(array_agg(DISTINCT substr(t, i, 3)), '{}') "
    "FROM generate_series(1, length(t) - 2) AS i $$",
    "CREATE INDEX ix_search_term_trigrams ON search_term USING gin (search_trigrams(text))",
]
POSTGRES_DOWN = [
    "DROP INDEX ix_search_term_trigrams",
    "DROP FUNCTION search_trigrams(text)",
    "DROP INDEX ix_search_term_grams",
]


def _execute(sqlite: list[str], postgres: list[str]) -> None:
    dialect = op.get_bind().dialect.name
    for statement in {"sqlite": sqlite, "postgresql": postgres}.get(dialect, []):
        op.execute(sa.text(statement))


def upgrade() -> None:
    """Apply."""
    op.drop_table("search_entry")
    op.create_table(
        "search_entry",
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
        sa.UniqueConstraint("type", "id", name="uq_search_entry_type_id"),
    )
    op.create_table(
        "search_term",
        sa.Column("key", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("grams", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.ForeignKeyConstraint(["entry"], ["search_entry.key"]),
        sa.PrimaryKeyConstraint("key"),
    )
    # Deleting the entries (a PostgreSQL reseed) checks the key against every term: indexed.
    op.create_index(op.f("ix_search_term_entry"), "search_term", ["entry"], unique=False)
    _execute(SQLITE_UP, POSTGRES_UP)


def downgrade() -> None:
    """Revert."""
    _execute(SQLITE_DOWN, POSTGRES_DOWN)
    op.drop_index(op.f("ix_search_term_entry"), table_name="search_term")
    op.drop_table("search_term")
    op.drop_table("search_entry")
    op.create_table(
        "search_entry",
        sa.Column("type", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_zh", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name_en", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("as_written", sqlmodel.sql.sqltypes.AutoString(), nullable=True),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("type", "id"),
    )
