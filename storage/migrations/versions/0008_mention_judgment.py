"""mention: why it needs review, why it is urgent, and how much it asks for a reply

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mention", schema=None) as batch_op:
        batch_op.add_column(sa.Column("review_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("urgency_reason", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column("needs_reply", sa.Float(), nullable=True))


def downgrade() -> None:
    # Not batch mode: on SQLite that rebuilds the table, which the trend triggers of 0002 refer to. SQLite
    # (3.35+) and PostgreSQL both drop a column that no index or trigger uses in place.
    for name in ("needs_reply", "urgency_reason", "review_reason"):
        op.execute(f"ALTER TABLE mention DROP COLUMN {name}")
