"""story-service app factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI

from story_service.account_deletion import account_deletion_worker
from story_service.api import account, stories
from story_service.idempotency import IdempotencyKeys
from story_service.moderation import Regenerations, story_moderator
from story_service.outbox import Outbox
from story_service.providers import ModelRouter
from story_service.settings import Settings
from storyscape_common.app import create_service_app
from storyscape_common.clients.history import HistoryClient
from storyscape_common.clients.media import MediaClient
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.db import check_database, open_database
from storyscape_common.signing import internal_signer
from storyscape_common.tasks import running

MIGRATIONS = Path(__file__).parent / "migrations"
IDEMPOTENCY_TTL = timedelta(hours=24)


def utc_now() -> datetime:
    return datetime.now(UTC)


async def database_reachable(app: FastAPI) -> None:
    await check_database(app.state.engine)


async def history_reachable(app: FastAPI) -> None:
    await app.state.history.healthy()


async def hindi_llm_reachable(app: FastAPI) -> None:
    base = app.state.settings.hindi_llm_url.rstrip("/").removesuffix("/v1")
    async with httpx.AsyncClient(timeout=2.0) as client:
        (await client.get(f"{base}/healthz")).raise_for_status()


async def housekeeping(outbox: Outbox, keys: IdempotencyKeys) -> None:
    """The outbox worker, plus forgetting expired idempotency keys now and then."""
    worker = asyncio.create_task(outbox.run())
    try:
        while True:
            await asyncio.sleep(600)
            await keys.forget_expired()
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    settings = settings or Settings()
    signer = internal_signer(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_database(app, settings.database_url, migrations=MIGRATIONS) as sessions:
            app.state.model_router = ModelRouter(settings, signer)
            app.state.history = HistoryClient(base_url=settings.history_url, signer=signer)
            app.state.prompt = PromptClient(base_url=settings.prompt_url, signer=signer)
            app.state.media = MediaClient(base_url=settings.media_url, signer=signer)
            app.state.moderator = story_moderator(settings.openai_api_key, settings.openai_base_url)
            app.state.outbox = Outbox(
                sessions,
                app.state.history,
                clock=clock,
                retention=timedelta(hours=settings.outbox_retention_hours),
                poll_seconds=settings.outbox_poll_seconds,
                deliver_timeout=settings.history_timeout_seconds,
                max_delivery_age=timedelta(hours=settings.outbox_max_delivery_hours),
                registry=app.state.metrics_registry,
            )
            lease = timedelta(seconds=settings.idempotency_lease_seconds)
            app.state.idempotency = IdempotencyKeys(sessions, clock=clock, ttl=IDEMPOTENCY_TTL, lease=lease)
            try:
                async with (
                    running(housekeeping(app.state.outbox, app.state.idempotency)),
                    account_deletion_worker(app, sessions, settings, clock=clock),
                ):
                    yield
            finally:
                await app.state.model_router.aclose()
                await app.state.history.aclose()
                await app.state.prompt.aclose()
                await app.state.media.aclose()

    app = create_service_app(
        settings=settings,
        title="StoryScape story-service",
        description="Writes stories: builds the prompt, routes to a model, streams tokens over SSE, hands finished stories to history.",
        routers=[stories.router, account.router],
        readiness_checks={"database": database_reachable, "history-service": history_reachable, "hindi-llm-service": hindi_llm_reachable},
        lifespan=lifespan,
    )
    app.state.regenerations = Regenerations(app.state.metrics_registry)
    return app
