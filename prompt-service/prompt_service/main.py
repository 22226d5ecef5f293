"""prompt-service app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

from fastapi import FastAPI

from prompt_service.api import catalog, genres, internal, saved_prompts, suggestions
from prompt_service.api import settings as settings_api
from prompt_service.models import Base
from prompt_service.settings import Settings
from prompt_service.suggestions.service import Suggestions
from storyscape_common.account import account_deletion_router
from storyscape_common.app import create_service_app
from storyscape_common.db import check_database, open_database
from storyscape_common.signing import internal_signer
from storyscape_common.tasks import running
from storyscape_safety import create_moderator

MIGRATIONS = Path(__file__).parent / "migrations"


def utc_now() -> datetime:
    return datetime.now(UTC)


async def database_reachable(app: FastAPI) -> None:
    await check_database(app.state.engine)


def create_app(settings: Settings | None = None, *, clock: Callable[[], datetime] = utc_now) -> FastAPI:
    """The service; `clock` is what "now" means (tests pin it)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with open_database(app, settings.database_url, migrations=MIGRATIONS) as sessions:
            # SAFETY_* settings: OpenAI when a key is set, else offline. It checks suggestions and custom genre names.
            app.state.moderator = create_moderator()
            app.state.suggestions = Suggestions(
                settings,
                signer=app.state.signer,
                sessions=sessions,
                registry=app.state.metrics_registry,
                moderator=app.state.moderator,
            )
            try:
                async with running(app.state.suggestions.purge_periodically(clock)):
                    yield
            finally:
                await app.state.suggestions.aclose()

    app = create_service_app(
        settings=settings,
        title="StoryScape prompt-service",
        description="The catalog; each reader's settings, custom genres, saved prompts and daily suggestions.",
        routers=[
            catalog.router,
            settings_api.router,
            genres.router,
            saved_prompts.router,
            suggestions.router,
            internal.router,
            account_deletion_router(Base.metadata),
        ],
        readiness_checks={"database": database_reachable},
        lifespan=lifespan,
    )
    app.state.clock = clock
    app.state.signer = internal_signer(settings)
    return app
