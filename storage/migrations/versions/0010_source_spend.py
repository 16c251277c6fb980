"""source spend: what each source's reads cost this month, for the brands' monthly spend caps

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_state") as batch_op:
        batch_op.add_column(sa.Column("spend_month", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=True))
        batch_op.add_column(sa.Column("spend_usd", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("source_state") as batch_op:
        batch_op.drop_column("spend_usd")
        batch_op.drop_column("spend_month")
