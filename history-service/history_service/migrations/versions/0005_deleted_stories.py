"""Tombstones of deleted stories, so a late delivery from story-service's outbox cannot bring one back.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "deleted_stories",
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("story_id", sa.String(36), primary_key=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_deleted_stories_deleted_at", "deleted_stories", ["deleted_at"])


def downgrade() -> None:
    op.drop_index("ix_deleted_stories_deleted_at", table_name="deleted_stories")
    op.drop_table("deleted_stories")
