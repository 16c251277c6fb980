"""send path: idempotency keys on the ledger, deleted mentions, shared rate-limit pauses

Revision ID: 0003
Revises: 0002
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("reply_ledger") as batch_op:
        batch_op.add_column(sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    with op.batch_alter_table("mention") as batch_op:
        batch_op.add_column(sa.Column("deleted_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    op.create_table(
        "rate_pause",
        sa.Column("scope", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("until", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("scope"),
    )
    # Before 0003 a draft "failed" for a timeout or a lost answer too, and was retried without looking: such a
    # reply may be on the platform already. Reconcile them before anything is posted again.
    op.execute("UPDATE draft SET state = 'unknown' WHERE state = 'failed' AND attempts < 5")


def downgrade() -> None:
    op.drop_table("rate_pause")
    with op.batch_alter_table("mention") as batch_op:
        batch_op.drop_column("deleted_at")
    with op.batch_alter_table("reply_ledger") as batch_op:
        batch_op.drop_column("idempotency_key")
