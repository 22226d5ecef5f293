"""history-service app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi import FastAPI

from history_service.api import favorites, internal, stories
from history_service.media import MediaReader, SourcePhotos
from history_service.media_outbox import MediaDeletions
from history_service.models import Base
from history_service.reader_timezone import SettingsTimezones
from history_service.settings import Settings
from history_service.tombstones import Tombstones
from storyscape_common.account import account_deletion_router
from storyscape_common.app import create_service_app
from storyscape_common.clients.media import MediaClient
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.db import check_database, open_database
from storyscape_common.signing import internal_signer
from storyscape_common.tasks import running

MIGRATIONS = Path(__file__).parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


async def database_reachable(app: FastAPI) -> None:
    await check_database(app.state.engine)


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The service; `clock` is what "now" means for grouping and default timestamps (tests pin it)."""
    settings = settings or Settings()

    signer = internal_signer(settings)
    prompt = PromptClient(base_url=settings.prompt_url, signer=signer)
    media = MediaClient(base_url=settings.media_url, signer=signer)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with open_database(app, settings.database_url, migrations=MIGRATIONS) as sessions:
                app.state.media_deletions = MediaDeletions(sessions, media, clock=clock, poll_seconds=settings.media_outbox_poll_seconds)
                app.state.tombstones = Tombstones(
                    sessions,
                    clock=clock,
                    retention=timedelta(hours=settings.tombstone_retention_hours),
                    interval_seconds=settings.tombstone_purge_interval_seconds,
                    registry=app.state.metrics_registry,
                )
                async with running(app.state.media_deletions.run()), running(app.state.tombstones.purge_periodically()):
                    yield
        finally:
            await prompt.aclose()
            await media.aclose()

    app = create_service_app(
        settings=settings,
        title="StoryScape history-service",
        description="Each user's saved stories: grouped by day in their time zone, favorites, keyword search, clear history.",
        routers=[stories.router, favorites.router, internal.router, account_deletion_router(Base.metadata)],
        readiness_checks={"database": database_reachable},
        lifespan=lifespan,
    )
    app.state.clock = clock
    app.state.media_reader = MediaReader(media, timeout_s=settings.media_timeout_seconds)
    app.state.source_photos = SourcePhotos(media)
    app.state.timezones = SettingsTimezones(prompt, ttl=settings.settings_cache_seconds)
    return app
