"""web desk: per-database secret and indexes for the queue, threads and trends

Revision ID: 0002
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

import storage.web_models  # noqa: F401  (registers the table for autogenerate)

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "web_secret",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name"),
    )
    # The queue sorts by urgency (high first) then age (old first): one index serves it without a sort.
    op.create_index("ix_draft_queue", "draft", ["state", sa.text("urgency DESC"), "created_at"], unique=False)
    # Filter counts (brand, platform, category, urgency) read only this index, not 100,000 draft rows.
    op.create_index("ix_draft_filters", "draft", ["state", "category", "platform", "brand", "urgency"], unique=False)
    op.create_index("ix_draft_sent", "draft", ["state", "sent_at"], unique=False)
    op.create_index("ix_mention_conversation", "mention", ["conversation_id", "created_at"], unique=False)
    op.create_index("ix_mention_case", "mention", ["case_id", "created_at"], unique=False)
    # Covering index: trends aggregate by day, category, sentiment and platform without touching the table.
    op.create_index(
        "ix_mention_trends",
        "mention",
        ["brand", "created_at", "label", "sentiment", "platform", "found_via", "author_id"],
        unique=False,
    )
    if op.get_bind().dialect.name == "sqlite":
        # Trends group by day: an index on the day expression lets SQLite stream the GROUP BY in index order
        # instead of sorting every row of the range. The query must use this exact expression.
        op.create_index(
            "ix_mention_day",
            "mention",
            ["brand", sa.text("substr(created_at, 1, 10)"), "label", "sentiment", "platform", "found_via"],
            unique=False,
        )
        # Repeat customers over long ranges: streaming GROUP BY author in index order beats sorting the range.
        op.create_index("ix_mention_brand_author", "mention", ["brand", "author_id", "created_at"], unique=False)
        from storage import web_models as web_rollups

        web_rollups.install(op.get_bind())


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        from storage import web_models as web_rollups

        web_rollups.uninstall(op.get_bind())
        op.drop_index("ix_mention_brand_author", table_name="mention")
        op.drop_index("ix_mention_day", table_name="mention")
    op.drop_index("ix_mention_trends", table_name="mention")
    op.drop_index("ix_mention_case", table_name="mention")
    op.drop_index("ix_mention_conversation", table_name="mention")
    op.drop_index("ix_draft_sent", table_name="draft")
    op.drop_index("ix_draft_filters", table_name="draft")
    op.drop_index("ix_draft_queue", table_name="draft")
    op.drop_table("web_secret")
