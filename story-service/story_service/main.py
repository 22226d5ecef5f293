"""story-service app factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI

from story_service.api import stories
from story_service.providers import ModelRouter
from story_service.settings import Settings
from storyscape_common.app import create_service_app
from storyscape_common.clients.history import HistoryClient
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.signing import internal_signer


async def history_reachable(app: FastAPI) -> None:
    await app.state.history.healthy()


async def hindi_llm_reachable(app: FastAPI) -> None:
    base = app.state.settings.hindi_llm_url.rstrip("/").removesuffix("/v1")
    async with httpx.AsyncClient(timeout=2.0) as client:
        (await client.get(f"{base}/healthz")).raise_for_status()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    signer = internal_signer(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.model_router = ModelRouter(settings, signer)
        app.state.history = HistoryClient(base_url=settings.history_url, signer=signer)
        app.state.prompt = PromptClient(base_url=settings.prompt_url, signer=signer)
        try:
            yield
        finally:
            await app.state.model_router.aclose()
            await app.state.history.aclose()
            await app.state.prompt.aclose()

    return create_service_app(
        settings=settings,
        title="StoryScape story-service",
        description="Writes stories: builds the prompt, routes to a model, streams tokens over SSE, saves to history.",
        routers=[stories.router],
        readiness_checks={"history-service": history_reachable, "hindi-llm-service": hindi_llm_reachable},
        lifespan=lifespan,
    )
