"""Tables owned by history-service."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, false
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
    # Image & Prompt mode only: what was understood from the photo, and media-service's key for it.
    image_description: Mapped[str | None] = mapped_column(Text, default=None)
    source_image_key: Mapped[str | None] = mapped_column(String(500), default=None)
    favorite: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # Serves every query we make: one user's stories, newest first, keyset-paginated on (created_at, id).
    # Its leading column also indexes user_id on its own, so no second index is needed.
    __table_args__ = (Index("ix_stories_user_created_id", "user_id", created_at.desc(), "id"),)


class StoryTermRow(Base):
    """One word a story is found by (search): an index of normalised terms that works the same on PostgreSQL
    and SQLite, read newest first straight from its primary key."""

    __tablename__ = "story_terms"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    term: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(36), ForeignKey("stories.id", ondelete="CASCADE"), primary_key=True)

    __table_args__ = (Index("ix_story_terms_story", "story_id"),)


class LibraryRow(Base):
    """Per-user counters: the favorites version changes whenever the favorite set or a favorite story does."""

    __tablename__ = "libraries"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    favorites_version: Mapped[int] = mapped_column(BigInteger, default=0)


class MediaDeletionRow(Base):
    """A deletion media-service still has to hear about, written in the same transaction as the stories' delete.

    `story_ids` null means every story of the user (history cleared with favorites). The worker in
    `media_outbox.py` sends it, retrying with backoff, and removes the row once media-service confirmed.
    """

    __tablename__ = "media_deletions"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(String(128))
    story_ids: Mapped[list[str] | None] = mapped_column(JSON().with_variant(JSONB(), "postgresql"), nullable=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)

    __table_args__ = (Index("ix_media_deletions_due", "next_attempt_at"),)


class DeletedStoryRow(Base):
    """A tombstone: the reader deleted this story (one by one or by clearing history). story-service's outbox may
    still be delivering it, so a save of this id is refused (410) until the row is purged, after
    `HISTORY_TOMBSTONE_RETENTION_HOURS` (longer than the outbox tries to deliver a story)."""

    __tablename__ = "deleted_stories"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    story_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # The purge finds old tombstones by age.
    __table_args__ = (Index("ix_deleted_stories_deleted_at", "deleted_at"),)
