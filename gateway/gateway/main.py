"""The gateway app: the Firebase-authenticated public API, relayed to the services.

Run with `uvicorn --factory gateway.main:create_app`.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.middleware import Middleware

from gateway.api import account, home, proxy
from gateway.draining import Drain, DrainMiddleware
from gateway.edge import (
    AuthenticationMiddleware,
    BareReadinessMiddleware,
    BodyLimitMiddleware,
    BodyLimits,
    CanonicalPathMiddleware,
    PublicRouteMiddleware,
)
from gateway.firebase import FirebaseVerifier
from gateway.rate_limits import story_limits
from gateway.resources import GatewayResources, resources_of
from gateway.routing import PublicRoutes
from gateway.settings import Settings
from gateway.upstreams import readiness_checks, upstream_sessions
from storyscape_common.app import create_service_app
from storyscape_common.signing import internal_signer

PUBLIC_OPENAPI = Path(__file__).with_name("public_openapi.json")

DESCRIPTION = (
    "The public StoryScape API. Every `/v1` request needs `Authorization: Bearer <Firebase ID token>`; "
    "the gateway verifies it and relays the request to the service that owns the path."
)


def public_openapi() -> dict[str, Any]:
    """The whole public API, built from the services' own schemas (regenerated and checked by a test)."""
    document: dict[str, Any] = json.loads(PUBLIC_OPENAPI.read_text(encoding="utf-8"))
    return document


def serve_public_openapi(app: FastAPI) -> None:
    """`/openapi.json` and `/docs` describe every service's public routes, not the gateway's catch-all relay."""
    if not PUBLIC_OPENAPI.exists():
        return  # being generated right now (storyscape_devtools.public_openapi): the gateway's own routes only
    document = public_openapi()
    app.openapi = lambda: document  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    signer = internal_signer(settings, ttl_seconds=settings.internal_token_ttl_seconds)
    drain = Drain(settings.graceful_shutdown_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        drain.on_sigterm()
        resources = GatewayResources(
            firebase=FirebaseVerifier(settings=settings, registry=app.state.metrics_registry),
            signer=signer,
            upstreams=upstream_sessions(settings),
            story_limits=story_limits(settings, registry=app.state.metrics_registry),
        )
        app.state.gateway = resources
        try:
            yield
        finally:
            await resources.story_limits.close()
            await asyncio.gather(*(upstream.session.close() for upstream in resources.upstreams.values()))
            resources.firebase.close()

    limits = BodyLimits(
        json_bytes=settings.max_json_body_bytes,
        multipart_bytes=settings.max_multipart_body_bytes,
        json_seconds=settings.json_body_timeout_seconds,
        multipart_seconds=settings.multipart_body_timeout_seconds,
    )
    app = create_service_app(
        settings=settings,
        title="StoryScape API",
        description=DESCRIPTION,
        routers=[home.router, account.router, proxy.router],
        readiness_checks=readiness_checks(settings),
        lifespan=lifespan,
        internal_auth=False,
        # Nothing refused here reaches a service; the refusal still has its request id. The token is checked
        # before any of the body is read (see gateway.edge).
        edge=[
            *readiness_edge(settings),
            Middleware(DrainMiddleware, drain=drain),
            Middleware(CanonicalPathMiddleware),
            Middleware(PublicRouteMiddleware, routes=PublicRoutes.load()),
            Middleware(AuthenticationMiddleware, verifier=lambda scope: resources_of(scope["app"]).firebase),
            Middleware(BodyLimitMiddleware, limits=limits),
        ],
    )
    # `/healthz/` is not `/healthz`: no redirect to the path we guess was meant (public routes: PublicRouteMiddleware).
    app.router.redirect_slashes = False
    serve_public_openapi(app)
    return app


def readiness_edge(settings: Settings) -> list[Middleware]:
    """In production, `/readyz` on the public listener says ready or not, nothing more; with an operations port
    only that port serves it (with its details), and outside production the details help whoever runs it."""
    if settings.environment == "production" and settings.operations_port is None:
        return [Middleware(BareReadinessMiddleware)]
    return []
