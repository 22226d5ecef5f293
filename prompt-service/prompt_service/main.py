"""prompt-service app factory."""

from __future__ import annotations

from fastapi import FastAPI

from prompt_service.api import catalog
from prompt_service.settings import Settings
from storyscape_common.app import create_service_app


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # No database yet: settings, custom genres and suggestions arrive with their own tables.
    return create_service_app(
        settings=settings,
        title="StoryScape prompt-service",
        description="The catalog of languages, age groups and genres; later user settings, custom genres and daily prompt suggestions.",
        routers=[catalog.router],
    )
