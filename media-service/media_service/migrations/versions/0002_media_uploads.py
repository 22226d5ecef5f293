"""Create media_uploads: every uploaded photo, its owner and (once saved) its story.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "media_uploads",
        sa.Column("object_key", sa.String(1024), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("story_id", sa.String(64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attached_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sweeping_since", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_media_uploads_owner", "media_uploads", ["user_id", "story_id"])
    op.create_index("ix_media_uploads_unattached", "media_uploads", ["story_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_media_uploads_unattached", table_name="media_uploads")
    op.drop_index("ix_media_uploads_owner", table_name="media_uploads")
    op.drop_table("media_uploads")
