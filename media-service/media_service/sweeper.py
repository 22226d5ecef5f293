"""The upload sweeper: a photo no saved story claimed within `upload_max_age_s` (its story was blocked, abandoned
or never finished) is deleted, object first, then row.

Safe with several processes sweeping at once: each claims rows by marking them (`SKIP LOCKED` on PostgreSQL), a
marked upload can no longer be attached to a story, and deleting an object or a row twice is harmless.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from media_service import repository
from media_service.service import delete_objects
from media_service.storage import ObjectStore

logger = logging.getLogger("media_service.sweeper")
BATCH = 100


class UploadSweeper:
    def __init__(
        self, *, sessions: async_sessionmaker[AsyncSession], store: ObjectStore, max_age_s: float, clock: Callable[[], datetime]
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.max_age = timedelta(seconds=max_age_s)
        self.clock = clock

    async def sweep_batch(self) -> int:
        """Delete up to BATCH stale uploads; returns how many this call claimed."""
        now = self.clock()
        async with self.sessions() as session, session.begin():
            keys = await repository.claim_stale_uploads(session, created_before=now - self.max_age, now=now, limit=BATCH)
        if not keys:
            return 0
        await delete_objects(self.store, keys)  # a failure leaves the rows marked: the next sweep tries again
        async with self.sessions() as session, session.begin():
            await repository.delete_swept_uploads(session, keys=keys)
        return len(keys)

    async def sweep(self) -> int:
        """Sweep until no stale upload is left; returns how many were deleted."""
        total = 0
        while (swept := await self.sweep_batch()) > 0:
            total += swept
            if swept < BATCH:
                break
        if total:
            logger.info("swept unattached uploads", extra={"fields": {"uploads": total}})
        return total

    async def run(self, interval_s: float) -> None:
        """Sweep now and then every `interval_s`, until cancelled."""
        while True:
            try:
                await self.sweep()
            except Exception:  # noqa: BLE001 - a store or database hiccup must not end the sweeper; the rows stay
                logger.exception("upload sweep failed")
            await asyncio.sleep(interval_s)
