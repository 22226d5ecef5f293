"""media-service app factory: `uvicorn --factory media_service.main:create_app`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from media_service.api import audio, internal, objects, uploads
from media_service.illustration.safety import IllustrationCheck
from media_service.jobs.notifier import JobNotifier
from media_service.jobs.worker import JobWorker, RetryPolicy
from media_service.providers import create_providers
from media_service.settings import Settings
from media_service.storage import ObjectStore, create_object_store
from media_service.sweeper import UploadSweeper
from media_service.vision.fallback import create_vision_provider
from storyscape_common.app import create_service_app
from storyscape_common.db import check_database, open_database
from storyscape_common.tasks import running
from storyscape_safety import create_moderator

DESCRIPTION = "Illustrations and narration made by durable jobs, and the object store (S3 or a local directory) that holds them."
MIGRATIONS = Path(__file__).parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


async def object_store_ready(app: FastAPI) -> None:
    """Readiness: the object store answers (bucket reachable with our credentials, or directory writable)."""
    store: ObjectStore = app.state.object_store
    await store.check()


async def database_ready(app: FastAPI) -> None:
    await check_database(app.state.engine)


def worker_count(settings: Settings) -> int:
    """SQLite takes one writer at a time: one worker task per process there."""
    return min(settings.workers, 1) if settings.database_url.startswith("sqlite") else settings.workers


@asynccontextmanager
async def run_workers(app: FastAPI, settings: Settings) -> AsyncIterator[None]:
    policy = RetryPolicy(
        max_attempts=settings.job_max_attempts,
        backoff_s=settings.job_backoff_s,
        backoff_max_s=settings.job_backoff_max_s,
        lease_s=settings.job_lease_s,
    )
    providers = create_providers(settings)
    check = IllustrationCheck(moderator=app.state.moderator, neutral=providers.neutral, registry=app.state.metrics_registry)
    worker = JobWorker(
        sessions=app.state.session_factory, store=app.state.object_store, providers=providers, illustration_check=check,
        policy=policy, notifier=app.state.notifier, clock=app.state.clock,
    )  # fmt: skip
    stop = asyncio.Event()
    tasks = [asyncio.create_task(worker.run(i, stop, settings.job_poll_s)) for i in range(worker_count(settings))]
    try:
        yield
    finally:
        stop.set()
        app.state.notifier.notify()
        for task in tasks:  # a job cut off here is re-run after its lease lapses
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """Build media-service; the store, database and workers are opened by the lifespan."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store: ObjectStore = app.state.object_store
        await store.start()
        try:
            async with open_database(app, settings.database_url, migrations=MIGRATIONS) as sessions, run_workers(app, settings):
                sweeper = UploadSweeper(sessions=sessions, store=store, max_age_s=settings.upload_max_age_s, clock=clock)
                async with running(sweeper.run(settings.upload_sweep_interval_s)):
                    yield
        finally:
            await store.close()

    app = create_service_app(
        settings=settings,
        title="StoryScape media-service",
        description=DESCRIPTION,
        routers=[objects.router, internal.router, uploads.router, audio.router],
        readiness_checks={"object_store": object_store_ready, "database": database_ready},
        lifespan=lifespan,
        open_prefixes=(objects.router.prefix + "/",),
    )
    app.state.object_store = create_object_store(settings)
    app.state.notifier = JobNotifier()
    app.state.clock = clock
    # Moderation of photos, their descriptions and generated pictures (SAFETY_* settings, offline unless a key is set);
    # the vision step (OpenAI when a key is set).
    app.state.moderator = create_moderator()
    app.state.vision = create_vision_provider(openai_api_key=settings.openai_api_key or None, openai_base_url=settings.openai_base_url)
    return app
