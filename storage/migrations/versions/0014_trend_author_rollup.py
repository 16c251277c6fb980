"""mentions per author and day for the trends page's repeat customers (trend_author), kept by triggers on both
databases: a range is summed from narrow rollup rows instead of grouping every mention in it

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.install_authors(op.get_bind())


def downgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.uninstall_authors(op.get_bind())
