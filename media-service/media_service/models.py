"""Tables owned by media-service: the stories it may illustrate and narrate, the jobs that do it, and uploaded photos."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storyscape_common.db_types import UTCDateTime

JsonType = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class StoryRow(Base):
    """A finished story's text, registered by story-service so media can be made for it (owned by one user)."""

    __tablename__ = "media_stories"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128), index=True)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    genres: Mapped[list[str]] = mapped_column(JsonType)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class JobRow(Base):
    """One unit of media work, written before it is attempted; `(user, story, kind, inputs_hash)` is unique."""

    __tablename__ = "media_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    story_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    slot: Mapped[int] = mapped_column(Integer)
    inputs: Mapped[dict[str, Any]] = mapped_column(JsonType)
    inputs_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    object_key: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JsonType, nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("user_id", "story_id", "kind", "inputs_hash", name="uq_media_jobs_inputs"),
        # Workers look for due work by state and time; readers list one story's jobs.
        Index("ix_media_jobs_due", "state", "next_attempt_at"),
        Index("ix_media_jobs_story", "story_id", "user_id"),
    )


class UploadRow(Base):
    """An uploaded photo's object and owner; `story_id` stays null until history-service saves the story made from it."""

    __tablename__ = "media_uploads"

    object_key: Mapped[str] = mapped_column(String(1024), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    story_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set when the sweeper starts removing a never-attached upload: from then on it can no longer be attached.
    sweeping_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        # Deletions find a user's (or a story's) photos; the sweeper finds old unattached ones.
        Index("ix_media_uploads_owner", "user_id", "story_id"),
        Index("ix_media_uploads_unattached", "story_id", "created_at"),
    )
