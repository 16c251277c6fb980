"""anonymous authors: mentions and cases of "[deleted]" (and empty or hidden) authors no longer share one author

Before, every post whose author was gone shared one author row: one case held unrelated people's complaints,
and one opt-out among them muted all the others. New mentions of such authors are stored with no author
(storage/queries.py); this detaches the ones stored before and lifts the shared opt-out. The author row stays
(trend rollups may still count it), with no mentions.

Revision ID: 0011
Revises: 0010
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ANONYMOUS = "('[deleted]', '', '[removed]', '[unknown]')"


def upgrade() -> None:
    shared = f"SELECT id FROM author WHERE handle IN {ANONYMOUS}"
    op.execute(f"UPDATE mention SET author_id = NULL WHERE author_id IN ({shared})")
    op.execute(f'UPDATE "case" SET author_id = NULL WHERE author_id IN ({shared})')
    op.execute(f"UPDATE author SET opted_out_at = NULL, mention_count = 0 WHERE handle IN {ANONYMOUS}")


def downgrade() -> None:
    # Mentions go back to the shared author; which case each belonged to is not kept, nor the opt-out.
    op.execute(
        "UPDATE mention SET author_id = (SELECT author.id FROM author WHERE author.platform = mention.platform "
        "AND author.handle = lower(mention.author_handle)) "
        f"WHERE author_id IS NULL AND lower(author_handle) IN {ANONYMOUS}"
    )
