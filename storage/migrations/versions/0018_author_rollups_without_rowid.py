"""repeat-customer rollups clustered on SQLite: trend_author and trend_author_month rebuilt WITHOUT ROWID, as
their models declare and the other rollups are (PostgreSQL: nothing to do)

Revision ID: 0018
Revises: 0017
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.rebuild_author_tables_without_rowid(op.get_bind())


def downgrade() -> None:
    """Nothing to undo: a WITHOUT ROWID table answers the same queries."""
