"""The gateway app: the Firebase-authenticated public API, relayed to the services.

Run with `uvicorn --factory gateway.main:create_app`.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from gateway.api import proxy
from gateway.edge import BodyLimitMiddleware, BodyLimits, CanonicalPathMiddleware
from gateway.firebase import FirebaseVerifier
from gateway.resources import GatewayResources
from gateway.settings import Settings
from gateway.upstreams import readiness_checks, upstream_sessions
from storyscape_common.app import create_service_app
from storyscape_common.internal_auth import InternalTokenSigner, ensure_dev_key_pair

logger = logging.getLogger("gateway")
DEV_KEY_DIRECTORY = Path(".data/keys")

DESCRIPTION = (
    "The public StoryScape API. Every `/v1` request needs `Authorization: Bearer <Firebase ID token>`; "
    "the gateway verifies it and relays the request to the service that owns the path."
)


def internal_signer(settings: Settings) -> InternalTokenSigner:
    """The signer for internal tokens; in development without a key, the shared dev key pair on disk."""
    private_pem = settings.signing_key_pem()
    if not private_pem:
        private_path, public_path = ensure_dev_key_pair(DEV_KEY_DIRECTORY)
        logger.warning(
            "no internal signing key set; using the development key pair", extra={"fields": {"public_key_file": str(public_path)}}
        )
        private_pem = private_path.read_text(encoding="utf-8")
    return InternalTokenSigner(private_key_pem=private_pem, issuer=settings.service_name, ttl_seconds=settings.internal_token_ttl_seconds)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    signer = internal_signer(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        resources = GatewayResources(firebase=FirebaseVerifier(settings=settings), signer=signer, upstreams=upstream_sessions(settings))
        app.state.gateway = resources
        try:
            yield
        finally:
            await asyncio.gather(*(upstream.session.close() for upstream in resources.upstreams.values()))
            resources.firebase.close()

    app = create_service_app(
        settings=settings,
        title="StoryScape API",
        description=DESCRIPTION,
        routers=[proxy.router],
        readiness_checks=readiness_checks(settings),
        lifespan=lifespan,
        internal_auth=False,
    )
    # Added last, so they run first: nothing refused here reaches routing, auth or a service.
    limits = BodyLimits(json_bytes=settings.max_json_body_bytes, multipart_bytes=settings.max_multipart_body_bytes)
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    app.add_middleware(CanonicalPathMiddleware)
    return app
