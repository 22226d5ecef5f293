"""The story outbox: a finished story is written here before `story.completed`, then delivered to history-service
until it takes it (at once when it can, otherwise by a worker with backoff), so nothing finished is ever lost."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from story_service.models import OutboxRow
from storyscape_common.clients.history import HistoryClient
from storyscape_common.contracts.stories import Story, StoryCreate
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import ISSUER_PREFIX, Identity
from storyscape_common.registry import STORY_SERVICE

logger = logging.getLogger("story_service.outbox")
CLAIM_SECONDS = 60
CLAIM_BATCH = 20
MAX_BACKOFF_SECONDS = 60.0


def backoff(attempts: int) -> timedelta:
    """0.5 s, 1 s, 2 s, … capped at a minute: history-service is reachable again soon after it is back."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** max(0, attempts - 1)))


def local_story(story: StoryCreate, *, now: datetime) -> Story:
    """The Story as history-service will serve it, for `story.completed` while history-service is away."""
    fields = story.model_dump(exclude={"source_image_key", "created_at"})
    return Story.model_validate({**fields, "id": str(story.id), "created_at": story.created_at or now})


class Outbox:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        history: HistoryClient,
        *,
        clock: Callable[[], datetime],
        retention: timedelta,
        poll_seconds: float,
        deliver_timeout: float,
    ) -> None:
        self.sessions = sessions
        self.history = history
        self.clock = clock
        self.retention = retention
        self.poll_seconds = poll_seconds
        self.deliver_timeout = deliver_timeout
        self.wake = asyncio.Event()

    async def record(self, story: StoryCreate, *, identity: Identity) -> None:
        """Make the story durable (raises if the database cannot take it)."""
        now = self.clock()
        row = OutboxRow(
            story_id=str(story.id),
            user_id=identity.user_id,
            request_id=identity.request_id,
            story=story.model_dump(mode="json"),
            state="pending",
            attempts=0,
            # The request tries history-service itself first; the worker waits until that try is over.
            next_attempt_at=now + timedelta(seconds=self.deliver_timeout + 1),
            created_at=now,
        )
        async with self.sessions() as session, session.begin():
            await session.merge(row)

    async def complete(self, story: StoryCreate, *, identity: Identity) -> Story:
        """Record, then try history-service at once; the Story is history's if it answered, else built here."""
        await self.record(story, identity=identity)
        try:
            saved = await asyncio.wait_for(self.history.save_story(story, identity=identity), self.deliver_timeout)
        except (ApiError, TimeoutError) as exc:
            logger.warning("history-service did not take the story yet; the outbox will retry", extra={"fields": {"error": str(exc)}})
            await self.failed(str(story.id), attempts=1, error=str(exc))
            self.wake.set()
            return local_story(story, now=self.clock())
        await self.delivered(str(story.id))
        return saved

    async def delivered(self, story_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.story_id == story_id)
                .values(state="delivered", delivered_at=self.clock(), claimed_until=None, last_error=None)
            )

    async def failed(self, story_id: str, *, attempts: int, error: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.story_id == story_id)
                .values(attempts=attempts, next_attempt_at=self.clock() + backoff(attempts), claimed_until=None, last_error=error[:500])
            )

    async def claim_due(self) -> list[OutboxRow]:
        """Rows due for delivery, claimed for a minute; another process skips them (SKIP LOCKED on PostgreSQL),
        and a claim left by a crashed process expires and is taken again."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            due = (
                select(OutboxRow)
                .where(OutboxRow.state == "pending", OutboxRow.next_attempt_at <= now)
                .where((OutboxRow.claimed_until.is_(None)) | (OutboxRow.claimed_until < now))
                .order_by(OutboxRow.next_attempt_at)
                .limit(CLAIM_BATCH)
            )
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            rows = list((await session.execute(due)).scalars())
            for row in rows:
                row.claimed_until = now + timedelta(seconds=CLAIM_SECONDS)
            return rows

    async def deliver(self, row: OutboxRow) -> None:
        identity = Identity(user_id=row.user_id, request_id=row.request_id, issuer=ISSUER_PREFIX + STORY_SERVICE, token="")
        try:
            await asyncio.wait_for(self.history.save_story(StoryCreate.model_validate(row.story), identity=identity), self.deliver_timeout)
        except (ApiError, TimeoutError) as exc:
            attempts = row.attempts + 1
            logger.warning("outbox delivery failed", extra={"fields": {"story_id": row.story_id, "attempts": attempts, "error": str(exc)}})
            await self.failed(row.story_id, attempts=attempts, error=str(exc))
            return
        logger.info("outbox delivered a story", extra={"fields": {"story_id": row.story_id, "attempts": row.attempts + 1}})
        await self.delivered(row.story_id)

    async def forget_delivered(self) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(OutboxRow).where(OutboxRow.state == "delivered", OutboxRow.delivered_at < self.clock() - self.retention)
            )

    async def pending_count(self) -> int:
        async with self.sessions() as session:
            return len(list((await session.execute(select(OutboxRow.story_id).where(OutboxRow.state == "pending"))).scalars()))

    async def run(self) -> None:
        """The worker: deliver what is due, sleep until the next poll or a nudge, forever (cancel to stop)."""
        while True:
            try:
                for row in await self.claim_due():
                    await self.deliver(row)
                await self.forget_delivered()
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                logger.exception("outbox pass failed; retrying")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass
