"""web desk: sessions and the login throttle in the database (revocable, shared by every desk worker)

Revision ID: 0004
Revises: 0003
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "desk_session",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("password_version", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["desk_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_desk_session_user_id", "desk_session", ["user_id"], unique=False)
    op.create_index("ix_desk_session_expires_at", "desk_session", ["expires_at"], unique=False)
    op.create_table(
        "login_failure",
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(length=160), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_login_failure_window_start", "login_failure", ["window_start"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_login_failure_window_start", table_name="login_failure")
    op.drop_table("login_failure")
    op.drop_index("ix_desk_session_expires_at", table_name="desk_session")
    op.drop_index("ix_desk_session_user_id", table_name="desk_session")
    op.drop_table("desk_session")
