"""trend rollups on PostgreSQL too: per-day counts kept by statement triggers, so the trends page and
retention (which keeps the counts of what it deletes) work the same on both databases

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from storage import web_models as web_rollups

        web_rollups.install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from storage import web_models as web_rollups

        web_rollups.uninstall(op.get_bind())
