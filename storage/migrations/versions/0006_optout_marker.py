"""data lifecycle: opt-out markers that outlive `mentiondesk forget`

Revision ID: 0006
Revises: 0005
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "optout_marker",
        sa.Column("platform", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("handle_sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("opted_out_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "handle_sha256"),
    )


def downgrade() -> None:
    op.drop_table("optout_marker")
