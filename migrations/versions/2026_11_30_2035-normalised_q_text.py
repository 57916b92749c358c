"""q_text: what a list's `q` filter searches, normalised by our code

Every list table (metric, indicator, industry_chain, event, entity) gets `q_text`: the normal form
(app.store.search_text) of the texts `q` searches, one a line. A `q` is normalised the same way and
found with instr (SQLite) or strpos (PostgreSQL), exact on both, so no engine's locale folds case
on its own (SQLite's LIKE folds ASCII only, PostgreSQL's ILIKE all of Unicode per locale).

Rows are refilled by the seed command, which always runs after migrating; the default only lets
the migration run on a database that has rows (until the next seed, `q` then finds nothing).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 20:35:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("metric", "indicator", "industry_chain", "event", "entity")


def upgrade() -> None:
    """Apply."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(
                    "q_text", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
                )
            )


def downgrade() -> None:
    """Revert."""
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("q_text")
