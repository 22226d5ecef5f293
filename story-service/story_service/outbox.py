"""The story outbox: a finished story is written here before `story.completed`, then delivered to history-service
until it takes it (at once when it can, otherwise by a worker with backoff), so nothing finished is ever lost.

What history-service answers decides what happens to a row:
- 2xx: delivered (kept `outbox_retention_hours` for `Idempotency-Key` replays, then forgotten).
- 5xx, no answer, a timeout, or a 4xx that means "later" (`RETRY_LATER`): tried again with backoff (0.5 s doubling
  to a minute) for up to `outbox_max_delivery_hours` after the story was written, then dead-lettered as `expired`.
- 410 `story_deleted`: the reader deleted the story (history-service keeps a tombstone longer than we retry), so
  the row is dropped; counted in `storyscape_story_outbox_discarded_total`, nothing else to do.
- Any other 4xx: history-service will never take this story as it is. The row is dead-lettered (state `dead`:
  kept, never sent again), counted in `storyscape_story_outbox_dead_letters_total{reason="rejected"}` and logged
  with the story id (never the text). A row whose stored story no longer parses is dead as `invalid`.
The rows of a batch are tried together, each on its own: one that fails or hangs keeps no other from being delivered.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from prometheus_client import CollectorRegistry, Counter
from pydantic import ValidationError
from sqlalchemy import delete, func, select, update
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
# 4xx answers that are about now, not about the story: too many requests, too early, too slow, and our own token
# refused (a signing key history-service does not trust yet, mid-rotation). Tried again like a 5xx.
RETRY_LATER = frozenset({401, 408, 425, 429})
STORY_DELETED = 410
DEAD_REASONS = ("rejected", "expired", "invalid")


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
        max_delivery_age: timedelta,
        registry: CollectorRegistry,
    ) -> None:
        self.sessions = sessions
        self.history = history
        self.clock = clock
        self.retention = retention
        self.poll_seconds = poll_seconds
        self.deliver_timeout = deliver_timeout
        self.max_delivery_age = max_delivery_age
        self.wake = asyncio.Event()
        self.dead_letters = Counter(
            "storyscape_story_outbox_dead_letters_total",
            "Finished stories history-service will not take, kept in the outbox and no longer sent: rejected (a 4xx), "
            "expired (not delivered within STORY_OUTBOX_MAX_DELIVERY_HOURS), invalid (the stored story does not parse)",
            ["reason"],
            registry=registry,
        )
        for reason in DEAD_REASONS:
            self.dead_letters.labels(reason=reason)
        self.discarded = Counter(
            "storyscape_story_outbox_discarded_total",
            "Finished stories dropped from the outbox because their reader deleted them before history-service took them (410)",
            registry=registry,
        )

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
            await self.not_taken(str(story.id), attempts=1, exc=exc)
            self.wake.set()
            return local_story(story, now=self.clock())
        await self.delivered(str(story.id))
        return saved

    async def not_taken(self, story_id: str, *, attempts: int, exc: ApiError | TimeoutError) -> None:
        """history-service did not take the story: drop it (deleted), dead-letter it (refused), or try again later."""
        if isinstance(exc, ApiError) and exc.status == STORY_DELETED:
            await self.discard(story_id)
        elif isinstance(exc, ApiError) and 400 <= exc.status < 500 and exc.status not in RETRY_LATER:
            error = f"{exc.status} {exc.code}: {exc.message}"
            await self.dead_letter(story_id, attempts=attempts, reason="rejected", error=error)
        else:
            error = str(exc) or type(exc).__name__
            logger.warning(
                "history-service did not take the story yet; the outbox will retry",
                extra={"fields": {"story_id": story_id, "attempts": attempts, "error": error}},
            )
            await self.failed(story_id, attempts=attempts, error=error)

    async def delivered(self, story_id: str) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.story_id == story_id)
                .values(state="delivered", delivered_at=self.clock(), claimed_until=None, last_error=None)
            )

    async def dead_letter(self, story_id: str, *, attempts: int, reason: str, error: str) -> None:
        """Keep the row, never send it again; counted and logged (the story id and why, never its text)."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(OutboxRow)
                .where(OutboxRow.story_id == story_id)
                .values(state="dead", attempts=attempts, claimed_until=None, last_error=error[:500])
            )
        self.dead_letters.labels(reason=reason).inc()
        logger.error(
            "outbox dead-lettered a story",
            extra={"fields": {"story_id": story_id, "reason": reason, "attempts": attempts, "error": error[:200]}},
        )

    async def discard(self, story_id: str) -> None:
        """The reader deleted the story before history-service took it: our copy goes too."""
        async with self.sessions() as session, session.begin():
            await session.execute(delete(OutboxRow).where(OutboxRow.story_id == story_id))
        self.discarded.inc()
        logger.info("history-service refused a story its reader deleted; dropped from the outbox", extra={"fields": {"story_id": story_id}})

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
        """One delivery attempt of a claimed row, settled in the database whatever history-service answers."""
        if row.created_at < self.clock() - self.max_delivery_age:
            hours = self.max_delivery_age.total_seconds() / 3600
            error = f"not delivered within {hours:g} h; last error: {row.last_error or 'none'}"
            await self.dead_letter(row.story_id, attempts=row.attempts, reason="expired", error=error)
            return
        try:
            story = StoryCreate.model_validate(row.story)
        except ValidationError as exc:
            await self.dead_letter(
                row.story_id, attempts=row.attempts, reason="invalid", error=f"stored story does not parse: {exc.error_count()} errors"
            )
            return
        identity = Identity(user_id=row.user_id, request_id=row.request_id, issuer=ISSUER_PREFIX + STORY_SERVICE, token="")
        try:
            await asyncio.wait_for(self.history.save_story(story, identity=identity), self.deliver_timeout)
        except (ApiError, TimeoutError) as exc:
            await self.not_taken(row.story_id, attempts=row.attempts + 1, exc=exc)
            return
        logger.info("outbox delivered a story", extra={"fields": {"story_id": row.story_id, "attempts": row.attempts + 1}})
        await self.delivered(row.story_id)

    async def deliver_due(self) -> int:
        """One pass: claim what is due and try every row at once, each on its own; how many rows were tried."""
        rows = await self.claim_due()
        await asyncio.gather(*(self.deliver_alone(row) for row in rows))
        return len(rows)

    async def deliver_alone(self, row: OutboxRow) -> None:
        """`deliver`, with whatever else goes wrong kept to this row: it is tried again later, the batch goes on."""
        try:
            await self.deliver(row)
        except Exception as exc:  # noqa: BLE001 - one row's surprise must not keep the rest of the batch waiting
            logger.exception("outbox delivery failed unexpectedly", extra={"fields": {"story_id": row.story_id}})
            with contextlib.suppress(Exception):  # if even this fails, the claim expires and the row is taken again
                await self.failed(row.story_id, attempts=row.attempts + 1, error=f"unexpected: {type(exc).__name__}")

    async def forget_delivered(self) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(OutboxRow).where(OutboxRow.state == "delivered", OutboxRow.delivered_at < self.clock() - self.retention)
            )

    async def count(self, state: str = "pending") -> int:
        """How many rows are in `state` (pending, delivered, dead)."""
        async with self.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.state == state)) or 0)

    async def run(self) -> None:
        """The worker: deliver what is due, sleep until the next poll or a nudge, forever (cancel to stop)."""
        while True:
            try:
                await self.deliver_due()
                await self.forget_delivered()
            except Exception:  # noqa: BLE001 - the worker must outlive a database hiccup
                logger.exception("outbox pass failed; retrying")
            self.wake.clear()
            try:
                await asyncio.wait_for(self.wake.wait(), self.poll_seconds)
            except TimeoutError:
                pass
