"""repeat customers count the brand's own mentions only: trend_author leaves out posts found by competitor
searches (found_via 'competitor'); the table is rebuilt from the mentions, so existing counts are corrected

Revision ID: 0016
Revises: 0015
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.rebuild_authors(op.get_bind(), own_only=True)


def downgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.rebuild_authors(op.get_bind(), own_only=False)
