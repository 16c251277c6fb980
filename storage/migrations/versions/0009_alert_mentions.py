"""alerts: which mentions each alert names, so erasing a mention erases it from stored alerts too

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alert_mention",
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["alert.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("alert_id", "mention_id"),
    )
    op.create_index("ix_alert_mention_mention_id", "alert_mention", ["mention_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_alert_mention_mention_id", table_name="alert_mention")
    op.drop_table("alert_mention")
