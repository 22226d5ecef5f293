"""The gateway app: the Firebase-authenticated public API, relayed to the services.

Run with `uvicorn --factory gateway.main:create_app`.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from gateway.api import home, proxy
from gateway.firebase import FirebaseVerifier
from gateway.settings import Settings
from gateway.upstreams import readiness_checks, upstream_clients
from storyscape_common.app import create_service_app
from storyscape_common.signing import internal_signer

DESCRIPTION = (
    "The public StoryScape API. Every `/v1` request needs `Authorization: Bearer <Firebase ID token>`; "
    "the gateway verifies it and relays the request to the service that owns the path."
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.firebase = FirebaseVerifier(settings=settings)
        app.state.upstreams = upstream_clients(settings)
        try:
            yield
        finally:
            await asyncio.gather(*(client.aclose() for client in app.state.upstreams.values()))
            app.state.firebase.close()

    app = create_service_app(
        settings=settings,
        title="StoryScape API",
        description=DESCRIPTION,
        routers=[home.router, proxy.router],
        readiness_checks=readiness_checks(settings),
        lifespan=lifespan,
        internal_auth=False,
    )
    app.state.signer = internal_signer(settings, ttl_seconds=settings.internal_token_ttl_seconds)
    return app
