"""Tables owned by story-service: the outbox of finished stories, idempotency keys, and account-deletion jobs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from storyscape_common.db_types import UTCDateTime
from storyscape_common.durable import DurableColumns

JSON_OBJECT = JSON().with_variant(JSONB(), "postgresql")


class Base(DeclarativeBase):
    pass


class OutboxRow(Base):
    """A finished story waiting to be (or already) delivered to history-service; written before `story.completed`."""

    __tablename__ = "story_outbox"

    story_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(128))
    request_id: Mapped[str] = mapped_column(String(128))
    story: Mapped[dict[str, Any]] = mapped_column(JSON_OBJECT)
    state: Mapped[str] = mapped_column(String(16))  # pending | delivered | dead (dead-lettered: kept, never sent again)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (Index("ix_story_outbox_due", "state", "next_attempt_at"),)


class IdempotencyRow(Base):
    """One `Idempotency-Key` of one reader: what the first request asked, and the story it produced."""

    __tablename__ = "idempotency_keys"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    body_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))  # generating | completed
    story_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class AccountDeletionRow(DurableColumns, Base):
    """A reader's account being deleted (`account_deletion.py`): written before anything is deleted, removed when the
    last step is done, so a row means "pending" and no row "done"."""

    __tablename__ = "account_deletions"

    user_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_id: Mapped[str] = mapped_column(String(128))
    phase: Mapped[str] = mapped_column(String(16))  # firebase | sweep | resweep
    done_steps: Mapped[list[str]] = mapped_column(JSON_OBJECT)  # the services this phase has finished with
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_account_deletions_due", "next_attempt_at"),)
