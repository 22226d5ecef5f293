"""Index suggestion sets by creation time, for the purge of sets older than the retention period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_suggestion_sets_created_at", "suggestion_sets", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_suggestion_sets_created_at", table_name="suggestion_sets")
