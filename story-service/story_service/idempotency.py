"""`Idempotency-Key` on story creation: one story per (reader, key) for 24 hours.

A key is "generating" only under a short lease (`STORY_IDEMPOTENCY_LEASE_SECONDS`), renewed every third of it
while its request, and then its stream, runs (`held`). A request that ends without a story gives the key up at
once (`abandon`); one that never gets that far (the client left before the stream started, so the stream's code
never ran, or the process died) stops renewing, and once the lease runs out the same key starts a new story
instead of answering 409 for a day. A completed key is kept 24 h from its first use and replays its story.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from story_service.models import IdempotencyRow, OutboxRow
from storyscape_common.contracts.stories import StoryCreate
from storyscape_common.errors import ApiError
from storyscape_common.tasks import running

logger = logging.getLogger("story_service.idempotency")
KEY_PATTERN = re.compile(r"^[\x21-\x7e]{1,200}$")
RETRY_AFTER_SECONDS = 5


@dataclass(frozen=True)
class Replay:
    """The key's story already completed: answer with it, without calling a model."""

    story: StoryCreate


def valid_key(key: str) -> str:
    if not KEY_PATTERN.match(key):
        raise ApiError(422, "invalid_request", "Idempotency-Key must be 1..200 visible ASCII characters")
    return key


def body_hash(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class IdempotencyKeys:
    def __init__(
        self, sessions: async_sessionmaker[AsyncSession], *, clock: Callable[[], datetime], ttl: timedelta, lease: timedelta
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.ttl = ttl
        self.lease = lease

    async def begin(self, *, user_id: str, key: str, digest: str) -> Replay | None:
        """Claim the key for a new story (None), or answer for an earlier one: 409 while it is still being written,
        422 when the same key came with another body, a Replay once it completed. A key whose lease ran out (its
        request is gone) or whose 24 h are over is taken afresh."""
        now = self.clock()
        async with self.sessions() as session:
            await session.execute(
                delete(IdempotencyRow).where(IdempotencyRow.user_id == user_id, IdempotencyRow.key == key, IdempotencyRow.expires_at < now)
            )
            session.add(
                IdempotencyRow(user_id=user_id, key=key, body_hash=digest, state="generating", created_at=now, expires_at=now + self.lease)
            )
            try:
                await session.commit()
                return None
            except IntegrityError:
                await session.rollback()
            existing = await session.get(IdempotencyRow, (user_id, key))
            if existing is None:  # the other request gave the key up a moment ago
                raise ApiError(409, "conflict", "this Idempotency-Key is in use; retry", {"Retry-After": str(RETRY_AFTER_SECONDS)})
            if existing.body_hash != digest:
                raise ApiError(422, "invalid_request", "this Idempotency-Key was used with a different request body")
            if existing.state != "completed" or existing.story_id is None:
                raise ApiError(
                    409, "conflict", "a story with this Idempotency-Key is still being written", {"Retry-After": str(RETRY_AFTER_SECONDS)}
                )
            outbox = await session.get(OutboxRow, existing.story_id)
            if outbox is None:
                raise ApiError(409, "conflict", "this Idempotency-Key's story is no longer available; use a new key")
            return Replay(StoryCreate.model_validate(outbox.story))

    async def complete(self, *, user_id: str, key: str, story_id: str) -> None:
        async with self.sessions() as session, session.begin():
            row = await session.get(IdempotencyRow, (user_id, key))
            if row is not None:
                row.state, row.story_id, row.expires_at = "completed", story_id, row.created_at + self.ttl

    async def renew(self, *, user_id: str, key: str) -> None:
        """Another lease for a key whose story is still being written."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                update(IdempotencyRow)
                .where(IdempotencyRow.user_id == user_id, IdempotencyRow.key == key, IdempotencyRow.state == "generating")
                .values(expires_at=self.clock() + self.lease)
            )

    @asynccontextmanager
    async def held(self, *, user_id: str, key: str) -> AsyncIterator[None]:
        """Renew the key's lease every third of it while the block runs (a request before its stream, the stream)."""

        async def keep() -> None:
            while True:
                await asyncio.sleep(self.lease.total_seconds() / 3)
                try:
                    await self.renew(user_id=user_id, key=key)
                except Exception:  # noqa: BLE001 - the story goes on; the next renewal may get through
                    logger.warning("could not renew an Idempotency-Key's lease", exc_info=True)

        async with running(keep()):
            yield

    async def abandon(self, *, user_id: str, key: str) -> None:
        """The story failed or was cancelled: free the key so the reader can retry with it."""
        async with self.sessions() as session, session.begin():
            await session.execute(
                delete(IdempotencyRow).where(
                    IdempotencyRow.user_id == user_id, IdempotencyRow.key == key, IdempotencyRow.state == "generating"
                )
            )

    async def forget_expired(self) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(delete(IdempotencyRow).where(IdempotencyRow.expires_at < self.clock()))


__all__ = ["IdempotencyKeys", "Replay", "body_hash", "valid_key"]
