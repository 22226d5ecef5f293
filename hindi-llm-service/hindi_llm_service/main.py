"""hindi-llm-service: OpenAI-compatible chat completions from a base model plus LoRA adapters.

Run: `uvicorn --factory hindi_llm_service.main:create_app --port 8005`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from hindi_llm_service.api import chat, models
from hindi_llm_service.engine import create_engine
from hindi_llm_service.metrics import EngineMetrics
from hindi_llm_service.settings import Settings
from storyscape_common.app import create_service_app

logger = logging.getLogger("hindi_llm_service")

DESCRIPTION = (
    "Generates Hindi stories with the OpenAI chat-completions protocol, so story-service uses the official "
    "`openai` client against it. `model` selects the base model or one of its LoRA adapters (see /v1/models)."
)


async def model_loaded(app: FastAPI) -> None:
    """Readiness: the model and its adapters are in memory and the generation worker runs."""
    if not app.state.engine.is_ready():
        failure = app.state.engine_load_failure
        raise RuntimeError("model failed to load" if failure else "model still loading")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Load the model in the background: /healthz answers at once, /readyz once the model is in memory."""
    engine = app.state.engine
    app.state.engine_load_failure = None

    async def load() -> None:
        try:
            await engine.start()
        except Exception as exc:
            app.state.engine_load_failure = exc
            logger.exception("model failed to load")

    loading = asyncio.create_task(load())
    try:
        yield
    finally:
        await asyncio.shield(loading)
        await engine.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="StoryScape hindi-llm-service",
        description=DESCRIPTION,
        routers=[chat.router, models.router],
        readiness_checks={"model": model_loaded},
        lifespan=lifespan,
    )
    app.state.started_at = time.time()
    app.state.engine = create_engine(settings, EngineMetrics(app.state.metrics_registry))
    return app
