"""Daily suggestion sets, one per reader, local date and settings hash.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "suggestion_sets",
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("local_date", sa.String(10), nullable=False),
        sa.Column("settings_hash", sa.String(64), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("prompts", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=False),
        sa.Column("source", sa.String(8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("user_id", "local_date", "settings_hash"),
    )


def downgrade() -> None:
    op.drop_table("suggestion_sets")
