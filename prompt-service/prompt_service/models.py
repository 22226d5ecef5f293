"""Tables owned by prompt-service: reader settings, custom genres, saved prompts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Index, String, Text, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storyscape_common.db_types import UTCDateTime

JSON_LIST = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class SettingsRow(Base):
    """A reader's settings; no row means the defaults."""

    __tablename__ = "user_settings"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    age_group: Mapped[str] = mapped_column(String(8))
    genres: Mapped[list[str]] = mapped_column(JSON_LIST)
    ai_images: Mapped[bool] = mapped_column(Boolean)
    recommendations_enabled: Mapped[bool] = mapped_column(Boolean)
    timezone: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class GenreRow(Base):
    """A reader's own genre; `name_key` (NFC, case-folded) keeps names unique per reader."""

    __tablename__ = "custom_genres"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    name: Mapped[str] = mapped_column(String(40))
    name_key: Mapped[str] = mapped_column(String(80))
    label: Mapped[str | None] = mapped_column(String(40), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (UniqueConstraint("user_id", "name_key", name="uq_custom_genres_user_name"),)


class SavedPromptRow(Base):
    """A prompt a reader kept; `text_key` (NFC, case-folded, spaces collapsed) keeps one copy of each."""

    __tablename__ = "saved_prompts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    text_key: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (
        UniqueConstraint("user_id", "text_key", name="uq_saved_prompts_user_text"),
        Index("ix_saved_prompts_user_created_id", "user_id", created_at.desc(), "id"),
    )


class SuggestionSetRow(Base):
    """The five prompts a reader sees on one local date for one shape of settings (language, age group, genres)."""

    __tablename__ = "suggestion_sets"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    local_date: Mapped[str] = mapped_column(String(10), primary_key=True)
    settings_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    language: Mapped[str] = mapped_column(String(8))
    prompts: Mapped[list[str]] = mapped_column(JSON_LIST)
    source: Mapped[str] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    # The purge of old sets looks them up by age.
    __table_args__ = (Index("ix_suggestion_sets_created_at", "created_at"),)
