"""Tombstones of deleted stories: a story the reader deleted must not come back.

story-service's outbox delivers a finished story until history-service takes it, so a delivery can arrive after
the reader deleted the story (an earlier try was saved but its answer was lost, or the reader deleted it by the id
`story.completed` gave them before it got here). Deleting a story, or clearing history, therefore records its id
in `deleted_stories`; a save of a recorded id is answered 410 `story_deleted` and nothing is stored, and the outbox
drops the story. A tombstone is kept `HISTORY_TOMBSTONE_RETENTION_HOURS`, longer than the outbox tries to deliver
a story, then purged by `Tombstones.purge_periodically` (the service's lifespan runs it).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter
from sqlalchemy import and_, delete, literal, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from history_service.models import DeletedStoryRow, StoryRow
from storyscape_common.db_types import UTCDateTime
from storyscape_common.errors import ApiError

logger = logging.getLogger("history_service.tombstones")


def story_deleted() -> ApiError:
    """The answer to a save of a deleted story: final for the outbox (it stops), and nothing is stored."""
    return ApiError(410, "story_deleted", "the reader deleted this story; it is not saved again")


async def record(session: AsyncSession, *, user_id: str, story_id: str, now: datetime) -> None:
    """Remember one deleted id (again: its retention starts over), in the caller's transaction."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(DeletedStoryRow).values(user_id=user_id, story_id=story_id, deleted_at=now)
    statement = statement.on_conflict_do_update(
        index_elements=[DeletedStoryRow.user_id, DeletedStoryRow.story_id], set_={"deleted_at": now}
    )
    await session.execute(statement)


async def record_cleared(session: AsyncSession, *, user_id: str, include_favorites: bool, now: datetime) -> None:
    """Remember every id a clear of history is about to delete (one INSERT … SELECT, before the delete)."""
    condition = StoryRow.user_id == user_id
    if not include_favorites:
        condition = and_(condition, StoryRow.favorite.is_(False))
    cleared = select(StoryRow.user_id, StoryRow.id, literal(now, UTCDateTime())).where(condition)
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = insert(DeletedStoryRow).from_select(["user_id", "story_id", "deleted_at"], cleared)
    statement = statement.on_conflict_do_update(
        index_elements=[DeletedStoryRow.user_id, DeletedStoryRow.story_id], set_={"deleted_at": now}
    )
    await session.execute(statement)


async def is_deleted(session: AsyncSession, *, user_id: str, story_id: str) -> bool:
    """Whether this reader deleted a story with this id within the retention time."""
    found = await session.scalar(
        select(DeletedStoryRow.story_id).where(DeletedStoryRow.user_id == user_id, DeletedStoryRow.story_id == story_id)
    )
    return found is not None


class Tombstones:
    """The purge of tombstones past their retention."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        clock: Callable[[], datetime],
        retention: timedelta,
        interval_seconds: float,
        registry: CollectorRegistry,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.retention = retention
        self.interval_seconds = interval_seconds
        self.purged = Counter(
            "storyscape_history_tombstones_purged_total", "Tombstones of deleted stories removed after their retention", registry=registry
        )

    async def purge_old(self) -> int:
        """Delete the tombstones recorded more than the retention time ago; how many went."""
        statement = delete(DeletedStoryRow).where(DeletedStoryRow.deleted_at < self.clock() - self.retention)
        async with self.sessions() as session, session.begin():
            deleted = int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]
        self.purged.inc(deleted)
        return deleted

    async def purge_periodically(self) -> None:
        """Purge now and every `interval_seconds`, forever (cancel to stop)."""
        while True:
            try:
                await self.purge_old()
            except Exception:  # noqa: BLE001 - the purge must outlive a database hiccup
                logger.exception("tombstone purge failed; retrying")
            await asyncio.sleep(self.interval_seconds)
