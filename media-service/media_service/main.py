"""media-service app factory: `uvicorn --factory media_service.main:create_app`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from media_service.api import objects
from media_service.settings import Settings
from media_service.storage import ObjectStore, create_object_store
from storyscape_common.app import create_service_app

DESCRIPTION = "Illustrations, narration audio and uploaded images, kept in an object store (S3 or a local directory)."


async def object_store_ready(app: FastAPI) -> None:
    """Readiness: the object store answers (bucket reachable with our credentials, or directory writable)."""
    store: ObjectStore = app.state.object_store
    await store.check()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    store: ObjectStore = app.state.object_store
    await store.start()
    try:
        yield
    finally:
        await store.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build media-service; the store is created here and opened by the lifespan."""
    settings = settings or Settings()
    app = create_service_app(
        settings=settings,
        title="StoryScape media-service",
        description=DESCRIPTION,
        routers=[objects.router],
        readiness_checks={"object_store": object_store_ready},
        lifespan=lifespan,
        open_prefixes=(objects.router.prefix + "/",),
    )
    app.state.object_store = create_object_store(settings)
    return app
