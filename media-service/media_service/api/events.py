"""The internal SSE stream of a story's job changes, so story-service waits without polling in a loop."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from media_service import repository, service
from media_service.jobs.notifier import JobNotifier
from media_service.storage import ObjectStore
from storyscape_common.contracts.media import IDLE_EVENT, JOB_EVENT, TIMEOUT_EVENT, JobList, MediaJob
from storyscape_common.sse import PING, encode_event

# Changes made by this process wake the stream at once; a worker in another process is seen within this.
CROSS_PROCESS_POLL_S = 0.5
PING_EVERY_S = 15.0


async def _snapshot(app: FastAPI, *, user_id: str, story_id: str) -> list[MediaJob]:
    sessions: async_sessionmaker[AsyncSession] = app.state.session_factory
    store: ObjectStore = app.state.object_store
    async with sessions() as session:
        rows = await repository.story_jobs(session, user_id=user_id, story_id=story_id)
        return [await service.present(row, store, expires_in=app.state.settings.url_expiry_s) for row in rows]


async def job_events(app: FastAPI, *, user_id: str, story_id: str, timeout_s: float) -> AsyncIterator[bytes]:
    notifier: JobNotifier = app.state.notifier
    deadline = time.monotonic() + timeout_s
    sent: dict[str, tuple[str, int]] = {}
    last_write = time.monotonic()
    while True:
        jobs = await _snapshot(app, user_id=user_id, story_id=story_id)
        for job in jobs:
            if sent.get(job.id) != (job.state, job.attempts):
                sent[job.id] = (job.state, job.attempts)
                last_write = time.monotonic()
                yield encode_event(JOB_EVENT, job.model_dump(mode="json"))
        if jobs and all(job.finished for job in jobs):
            yield encode_event(IDLE_EVENT, JobList(jobs=jobs).model_dump(mode="json"))
            return
        if time.monotonic() >= deadline:
            yield encode_event(TIMEOUT_EVENT, JobList(jobs=jobs).model_dump(mode="json"))
            return
        if time.monotonic() - last_write > PING_EVERY_S:
            last_write = time.monotonic()
            yield PING
        await notifier.wait(min(CROSS_PROCESS_POLL_S, max(0.0, deadline - time.monotonic())))
