"""Job workers: claim a due job, produce its media, store it, record the outcome; retry with backoff."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from media_service import repository
from media_service.illustration.providers import IllustrationRequest, Illustrator
from media_service.illustration.safety import IllustrationCheck
from media_service.jobs.notifier import JobNotifier
from media_service.models import JobRow, StoryRow
from media_service.narration.providers import Narrator
from media_service.service import object_key
from media_service.storage import ObjectStore

logger = logging.getLogger("media_service.jobs")
EXTENSIONS = {"image/png": "png", "image/webp": "webp", "audio/mpeg": "mp3", "audio/mp4": "m4a"}


@dataclass(frozen=True)
class Providers:
    illustrator: Illustrator  # ai_images on
    neutral: Illustrator  # ai_images off: no generative model
    narrator: Narrator


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    backoff_s: float
    backoff_max_s: float
    lease_s: float

    def delay(self, attempts: int) -> float:
        return float(min(self.backoff_s * 2 ** max(0, attempts - 1), self.backoff_max_s))


class JobWorker:
    def __init__(
        self,
        *,
        sessions: async_sessionmaker[AsyncSession],
        store: ObjectStore,
        providers: Providers,
        illustration_check: IllustrationCheck,
        policy: RetryPolicy,
        notifier: JobNotifier,
        clock: Callable[[], datetime],
    ) -> None:
        self.sessions = sessions
        self.store = store
        self.providers = providers
        self.illustration_check = illustration_check
        self.policy = policy
        self.notifier = notifier
        self.clock = clock
        self.process_id = f"{socket.gethostname()[:30]}-{uuid.uuid4().hex[:8]}"

    async def run(self, index: int, stop: asyncio.Event, poll_s: float) -> None:
        """Work until `stop`; when idle, sleep until a job is created here or `poll_s` passes (other processes)."""
        worker_id = f"{self.process_id}-{index}"
        while not stop.is_set():
            try:
                worked = await self.run_one(worker_id)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker
                logger.exception("job worker iteration failed")
                worked = False
            if not worked:
                await self.notifier.wait(poll_s)

    async def run_one(self, worker_id: str) -> bool:
        """Claim and run one job; False when none was due."""
        async with self.sessions() as session, session.begin():
            job = await repository.claim_next(session, worker_id=worker_id, now=self.clock(), lease_s=self.policy.lease_s)
            story = await session.get(StoryRow, job.story_id) if job else None
        if job is None:
            return False
        if job.attempts > self.policy.max_attempts:  # interrupted (crashed) on every try
            await self._record(job, state=repository.FAILED, error="interrupted too many times")
        elif story is None or story.user_id != job.user_id:
            await self._record(job, state=repository.FAILED, error="story no longer registered")
        else:
            await self._attempt(job, story)
        self.notifier.notify()
        return True

    async def _attempt(self, job: JobRow, story: StoryRow) -> None:
        heartbeat = asyncio.create_task(self._keep_lease(job))
        try:
            key, result = await self._produce(job, story)
        except Exception as exc:  # noqa: BLE001 - any provider or store failure is retried, then reported
            logger.warning("media job attempt failed", extra={"fields": {"job_id": job.id, "error": repr(exc)[:300]}})
            await self._failed_attempt(job, f"{type(exc).__name__}: {exc}"[:500])
            return
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
        if not await self._record(job, state=repository.SUCCEEDED, object_key=key, result=result, error=None):
            await self._discard_if_deleted(job, key)

    async def _produce(self, job: JobRow, story: StoryRow) -> tuple[str, dict[str, Any]]:
        if job.kind == "narration":
            narration = await self.providers.narrator.narrate(story.text, language=story.language)
            data, content_type = narration.data, narration.content_type
            result: dict[str, Any] = {"duration_s": narration.duration_s, "provider": self.providers.narrator.name}
        else:
            data, content_type, result = await self._illustrate(job, story)
        key = object_key(job, EXTENSIONS[content_type])
        await self.store.put(key, data, content_type=content_type)
        return key, {**result, "content_type": content_type, "bytes": len(data)}

    async def _illustrate(self, job: JobRow, story: StoryRow) -> tuple[bytes, str, dict[str, Any]]:
        request = IllustrationRequest(
            story_text=story.text, prompt=job.inputs["prompt"], caption=job.inputs["caption"], genres=list(story.genres)
        )
        if job.inputs["ai"]:
            checked = await self.illustration_check.illustrate(request, illustrator=self.providers.illustrator, job_id=job.id)
            picture, provider, kind = checked.picture, checked.provider, "neutral" if checked.replaced else "ai"
        else:
            picture, provider, kind = await self.providers.neutral.illustrate(request), self.providers.neutral.name, "neutral"
        result = {"image_kind": kind, "provider": provider, "width": picture.width, "height": picture.height}
        return picture.data, picture.content_type, result

    async def _failed_attempt(self, job: JobRow, error: str) -> None:
        if job.attempts >= self.policy.max_attempts:
            await self._record(job, state=repository.FAILED, error=error)
            return
        retry_at = self.clock() + timedelta(seconds=self.policy.delay(job.attempts))
        await self._record(job, state=repository.PENDING, next_attempt_at=retry_at, error=error, claimed_by=None)

    async def _record(self, job: JobRow, **values: Any) -> bool:
        async with self.sessions() as session, session.begin():
            return await repository.finish(session, job, now=self.clock(), **values)

    async def _keep_lease(self, job: JobRow) -> None:
        """Renew the claim while the job runs, so only a dead worker's job is taken over."""
        while True:
            await asyncio.sleep(self.policy.lease_s / 3)
            try:
                async with self.sessions() as session, session.begin():
                    await repository.renew_lease(session, job, now=self.clock(), lease_s=self.policy.lease_s)
            except Exception:  # noqa: BLE001 - a missed renewal only risks a re-run; keep the job going
                logger.warning("could not renew a job lease", extra={"fields": {"job_id": job.id}})

    async def _discard_if_deleted(self, job: JobRow, key: str) -> None:
        """The story's media was deleted while we worked: remove what we just stored (a re-claimed job keeps it)."""
        async with self.sessions() as session:
            if await session.get(JobRow, job.id) is None:
                await self.store.delete(key)
