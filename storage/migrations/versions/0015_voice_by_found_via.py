"""share of voice counts a competitor in every mention: trend_voice keeps its counts by found_via (the brand's
own name counts in keyword matches only)

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    from storage import web_models as web_rollups

    if web_rollups.installed(op.get_bind()):
        web_rollups.voice_by_found_via(op.get_bind())


def downgrade() -> None:
    from storage import web_models as web_rollups

    if web_rollups.installed(op.get_bind()):
        web_rollups.voice_keyword_only(op.get_bind())
