"""Reader settings, custom genres and saved prompts.

Revision ID: 0001
Revises:
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "user_settings",
        sa.Column("user_id", sa.String(128), primary_key=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("age_group", sa.String(8), nullable=False),
        sa.Column("genres", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("ai_images", sa.Boolean(), nullable=False),
        sa.Column("recommendations_enabled", sa.Boolean(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "custom_genres",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("name_key", sa.String(80), nullable=False),
        sa.Column("label", sa.String(40), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "name_key", name="uq_custom_genres_user_name"),
    )
    op.create_table(
        "saved_prompts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("text_key", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("user_id", "text_key", name="uq_saved_prompts_user_text"),
    )
    op.create_index("ix_saved_prompts_user_created_id", "saved_prompts", ["user_id", sa.text("created_at DESC"), "id"])


def downgrade() -> None:
    op.drop_index("ix_saved_prompts_user_created_id", table_name="saved_prompts")
    op.drop_table("saved_prompts")
    op.drop_table("custom_genres")
    op.drop_table("user_settings")
