"""Tables owned by history-service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, String, Text, false
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storyscape_common.db_types import UTCDateTime


class Base(DeclarativeBase):
    pass


class StoryRow(Base):
    """One finished story, owned by one user (the verified internal identity's `sub`)."""

    __tablename__ = "stories"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    age_group: Mapped[str] = mapped_column(String(8))
    genres: Mapped[list[str]] = mapped_column(JSON().with_variant(JSONB(), "postgresql"))
    mode: Mapped[str] = mapped_column(String(16))
    prompt: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(100))
    favorite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Serves every query we make: one user's stories, newest first, keyset-paginated on (created_at, id).
    # Its leading column also indexes user_id on its own, so no second index is needed.
    __table_args__ = (Index("ix_stories_user_created_id", "user_id", created_at.desc(), "id"),)
