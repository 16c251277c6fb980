"""team desk: owners, replies written on the desk, internal notes, tags, saved replies, full-text search

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

_MENTION_DOCUMENT = (
    "to_tsvector('simple'::regconfig, (((text || ' '::text) || author_handle::text) || ' '::text) "
    "|| author_name::text)"
)


def upgrade() -> None:
    with op.batch_alter_table("mention") as batch:
        batch.add_column(sa.Column("assigned_to", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.create_index("ix_mention_assigned", ["assigned_to", "created_at"], unique=False)
    with op.batch_alter_table("case") as batch:
        batch.add_column(sa.Column("assigned_to", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch.add_column(sa.Column("follow_up_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch.create_index("ix_case_assigned_to", ["assigned_to"], unique=False)
    with op.batch_alter_table("draft") as batch:
        batch.add_column(sa.Column("composed_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True))
    op.create_table(
        "desk_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("mention_id", sa.Integer(), nullable=True),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case.id"]),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_desk_note_mention_id", "desk_note", ["mention_id"], unique=False)
    op.create_index("ix_desk_note_case_id", "desk_note", ["case_id"], unique=False)
    op.create_table(
        "mention_tag",
        sa.Column("mention_id", sa.Integer(), nullable=False),
        sa.Column("tag", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("origin", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("added_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("added_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["mention_id"], ["mention.id"]),
        sa.PrimaryKeyConstraint("mention_id", "tag"),
    )
    op.create_index("ix_mention_tag_tag", "mention_tag", ["tag", "mention_id"], unique=False)
    op.create_table(
        "saved_reply",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("brand", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("brand", "title", name="uq_saved_reply_brand_title"),
    )
    op.create_index("ix_saved_reply_brand", "saved_reply", ["brand"], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        from storage import search

        search.install(op.get_bind())
    else:
        op.create_index(
            "ix_mention_search", "mention", [sa.text(_MENTION_DOCUMENT)], unique=False, postgresql_using="gin"
        )
        op.create_index(
            "ix_draft_search",
            "draft",
            [sa.text("to_tsvector('simple'::regconfig, text)")],
            unique=False,
            postgresql_using="gin",
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        from storage import search

        search.uninstall(op.get_bind())
    else:
        op.drop_index("ix_draft_search", table_name="draft")
        op.drop_index("ix_mention_search", table_name="mention")
    op.drop_index("ix_saved_reply_brand", table_name="saved_reply")
    op.drop_table("saved_reply")
    op.drop_index("ix_mention_tag_tag", table_name="mention_tag")
    op.drop_table("mention_tag")
    op.drop_index("ix_desk_note_case_id", table_name="desk_note")
    op.drop_index("ix_desk_note_mention_id", table_name="desk_note")
    op.drop_table("desk_note")
    op.drop_index("ix_case_assigned_to", table_name="case")
    op.drop_index("ix_mention_assigned", table_name="mention")
    # Plain ALTER TABLE on SQLite too (3.35+): a batch copy of `mention` would drop its trend triggers.
    for table, column in (("draft", "composed_by"), ("case", "follow_up_at"), ("case", "assigned_to"),
                          ("mention", "assigned_to")):  # fmt: skip
        op.execute(f'ALTER TABLE "{table}" DROP COLUMN {column}')
