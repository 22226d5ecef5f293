"""Helpers for upload-lifecycle tests: a clock the test moves, and a look at media-service's tables behind its back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from media_service.models import JobRow, StoryRow, UploadRow
from storyscape_common.db import create_engine


class MovableClock:
    """UTC time that stands still until the test moves it (shared with the live server's thread)."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass(frozen=True)
class Upload:
    object_key: str
    user_id: str
    story_id: str | None
    created_at: datetime


async def uploads(database_url: str, *, user_id: str) -> dict[str, Upload]:
    """The user's upload rows by object key."""
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            columns = (UploadRow.object_key, UploadRow.user_id, UploadRow.story_id, UploadRow.created_at)
            rows = (await connection.execute(select(*columns).where(UploadRow.user_id == user_id))).all()
    finally:
        await engine.dispose()
    return {row.object_key: Upload(row.object_key, row.user_id, row.story_id, row.created_at) for row in rows}


async def rows_of(database_url: str, *, user_id: str) -> dict[str, int]:
    """How many rows each of media-service's tables holds for the user."""
    engine = create_engine(database_url)
    counts: dict[str, int] = {}
    try:
        async with engine.connect() as connection:
            for table, owner in ((StoryRow, StoryRow.user_id), (JobRow, JobRow.user_id), (UploadRow, UploadRow.user_id)):
                found = (await connection.execute(select(owner).where(owner == user_id))).all()
                counts[table.__tablename__] = len(found)
    finally:
        await engine.dispose()
    return counts
