"""listing overlap: a source's cursor holds the ids already read in the overlap, so it is Text

Revision ID: 0005
Revises: 0004
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("source_state") as batch_op:
        batch_op.alter_column(
            "cursor",
            existing_type=sqlmodel.sql.sqltypes.AutoString(length=255),
            type_=sa.Text(),
            existing_nullable=True,
        )


def downgrade() -> None:
    # The code before 0005 cannot read a JSON cursor: such a source starts again from its newest page.
    op.execute(
        "UPDATE source_state SET cursor = NULL WHERE cursor LIKE '{%'"
    )
    with op.batch_alter_table("source_state") as batch_op:
        batch_op.alter_column(
            "cursor",
            existing_type=sa.Text(),
            type_=sqlmodel.sql.sqltypes.AutoString(length=255),
            existing_nullable=True,
        )
