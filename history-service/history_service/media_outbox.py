"""Durable media deletions: a row is written with the stories' delete (same transaction), then a worker tells
media-service, retrying with backoff until it confirms. media-service's deletes are idempotent, so a row sent
twice (a crash after the call, two instances on one row) does no harm, and media-service being down only
delays the deletion.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

import httpx
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from history_service.models import MediaDeletionRow
from storyscape_common.clients.media import MediaClient
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

logger = logging.getLogger("history_service.media_outbox")
MAX_BACKOFF_SECONDS = 300.0
BATCH = 20
MAX_IDS_PER_ROW = 500  # media-service accepts at most 500 ids per call (StoryIds)


def backoff(attempts: int) -> timedelta:
    """1 s, 2 s, 4 s, … capped at five minutes."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, attempts - 1)))


def record_deletion(session: AsyncSession, *, user_id: str, story_ids: list[str] | None, now: datetime) -> None:
    """Queue a deletion in the caller's transaction (None: all of the user's media)."""
    if story_ids is None:
        session.add(MediaDeletionRow(user_id=user_id, story_ids=None, attempts=0, next_attempt_at=now))
        return
    for start in range(0, len(story_ids), MAX_IDS_PER_ROW):
        chunk = story_ids[start : start + MAX_IDS_PER_ROW]
        session.add(MediaDeletionRow(user_id=user_id, story_ids=chunk, attempts=0, next_attempt_at=now))


class MediaDeletions:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], media: MediaClient, *, clock: Callable[[], datetime], poll_seconds: float
    ) -> None:
        self.sessions = sessions
        self.media = media
        self.clock = clock
        self.poll_seconds = poll_seconds

    async def send(self, row: MediaDeletionRow) -> None:
        identity = Identity(user_id=row.user_id, request_id=f"media-deletion-{uuid.uuid4().hex}", issuer="", token="")
        if row.story_ids is None:
            await self.media.delete_user_media(identity=identity)
        elif len(row.story_ids) == 1:
            await self.media.delete_story_media(row.story_ids[0], identity=identity)
        else:
            await self.media.delete_stories_media(list(row.story_ids), identity=identity)

    async def deliver_due(self) -> int:
        """Send every due deletion once; returns how many media-service confirmed."""
        async with self.sessions() as session:
            query = select(MediaDeletionRow).where(MediaDeletionRow.next_attempt_at <= self.clock())
            rows = list((await session.scalars(query.order_by(MediaDeletionRow.id).limit(BATCH))).all())
        done = 0
        for row in rows:
            try:
                await self.send(row)
            except (ApiError, httpx.HTTPError) as exc:
                await self.failed(row, error=f"{type(exc).__name__}: {exc}")
                continue
            async with self.sessions.begin() as session:
                await session.execute(delete(MediaDeletionRow).where(MediaDeletionRow.id == row.id))
            done += 1
        return done

    async def failed(self, row: MediaDeletionRow, *, error: str) -> None:
        attempts = row.attempts + 1
        logger.warning("media deletion failed; will retry", extra={"fields": {"row": row.id, "attempts": attempts}})
        values = {"attempts": attempts, "next_attempt_at": self.clock() + backoff(attempts), "last_error": error[:500]}
        async with self.sessions.begin() as session:
            await session.execute(update(MediaDeletionRow).where(MediaDeletionRow.id == row.id).values(**values))

    async def pending_count(self) -> int:
        async with self.sessions() as session:
            return len((await session.scalars(select(MediaDeletionRow.id))).all())

    async def run(self) -> None:
        """The worker: send what is due, then sleep a poll interval, forever (cancel to stop)."""
        while True:
            try:
                await self.deliver_due()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker; the rows stay queued
                logger.exception("media deletions round failed")
            await asyncio.sleep(self.poll_seconds)
