"""Search terms per story, and the per-user favorites version; index the stories already saved.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from history_service.search_terms import story_terms

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    terms = op.create_table(
        "story_terms",
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("term", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("story_id", sa.String(36), sa.ForeignKey("stories.id", ondelete="CASCADE"), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "term", "created_at", "story_id"),
    )
    op.create_index("ix_story_terms_story", "story_terms", ["story_id"])
    op.create_table(
        "libraries",
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("favorites_version", sa.BigInteger(), nullable=False, server_default="0"),
    )
    stories = sa.table(
        "stories",
        sa.column("id", sa.String),
        sa.column("user_id", sa.String),
        sa.column("title", sa.Text),
        sa.column("text", sa.Text),
        sa.column("prompt", sa.Text),
        sa.column("created_at", sa.DateTime),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(stories)):
        found = story_terms(row.title, row.text, row.prompt)
        op.bulk_insert(
            terms,
            [{"user_id": row.user_id, "term": t, "created_at": row.created_at, "story_id": row.id} for t in sorted(found)],
        )


def downgrade() -> None:
    op.drop_table("libraries")
    op.drop_index("ix_story_terms_story", table_name="story_terms")
    op.drop_table("story_terms")
