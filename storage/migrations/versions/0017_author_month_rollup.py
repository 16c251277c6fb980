"""mentions per author and month for the trends page's repeat customers (trend_author_month), kept by triggers on
both databases beside trend_author: a range of weeks or months reads one row per author for each whole month
instead of one per author and day

Revision ID: 0017
Revises: 0016
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.install_author_months(op.get_bind())


def downgrade() -> None:
    from storage import web_models as web_rollups

    web_rollups.uninstall_author_months(op.get_bind())
