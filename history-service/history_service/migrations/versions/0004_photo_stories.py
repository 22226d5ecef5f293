"""Image & Prompt stories: what the vision step saw in the photo, and where media-service stored it.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.add_column(sa.Column("image_description", sa.Text(), nullable=True))
        batch.add_column(sa.Column("source_image_key", sa.String(500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("stories") as batch:
        batch.drop_column("source_image_key")
        batch.drop_column("image_description")
