"""The app factory every service uses: errors, request ids, metrics, health, docs, internal auth."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from starlette.middleware import Middleware

from storyscape_common import server
from storyscape_common.contracts.errors import ErrorBody, error_responses
from storyscape_common.errors import error_body, install_error_handlers
from storyscape_common.internal_auth import InternalTokenVerifier, trusted_issuers
from storyscape_common.logging import configure_logging
from storyscape_common.middleware import InternalAuthMiddleware, MetricsMiddleware, RequestContextMiddleware
from storyscape_common.settings import ServiceSettings
from storyscape_common.signing import trusted_keys

ReadinessCheck = Callable[[FastAPI], Awaitable[None]]
OPERATIONAL_PATHS = frozenset({"/healthz", "/readyz", "/metrics"})
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/openapi.json", "/redoc"})
READINESS_TIMEOUT_SECONDS = 3.0


def operations_router(checks: dict[str, ReadinessCheck]) -> APIRouter:
    """`/healthz` (alive), `/readyz` (dependencies reachable), `/metrics` (Prometheus)."""
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Every dependency of this service is reachable",
        responses={503: {"model": ErrorBody, "description": "A dependency is unreachable (the body names which)"}},
    )
    async def readyz(request: Request) -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(request.app), READINESS_TIMEOUT_SECONDS)
                results[name] = "ok"
            except Exception as exc:  # noqa: BLE001 - any failure means not ready
                results[name] = f"error: {type(exc).__name__}"
        failing = [name for name, result in results.items() if result != "ok"]
        if failing:
            body = error_body("upstream_unavailable", "not ready: " + ", ".join(failing))
            return JSONResponse({**body, "checks": results}, status_code=503)
        return JSONResponse({"status": "ready", "checks": results})

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text exposition format"}},
    )
    async def metrics(request: Request) -> Response:
        # The app's own metrics, then the process-wide ones that libraries register on import (moderation's
        # storyscape_content_blocked_total, process CPU and memory): both are this process's figures.
        registry: CollectorRegistry = request.app.state.metrics_registry
        return Response(generate_latest(registry) + generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return router


def install_database_handlers(app: FastAPI) -> None:
    """Lost database connections answer 503, in services that have a database (the `db` extra)."""
    try:
        from storyscape_common.db_errors import install_database_error_handlers
    except ImportError:  # the gateway and the model server install no SQLAlchemy
        return
    install_database_error_handlers(app)


def declare_error_responses(app: FastAPI, *, authenticated: bool, open_prefixes: tuple[str, ...] = ()) -> None:
    """Add to every route the errors the platform itself may answer, so each OpenAPI operation lists them all:
    401 where an internal token is required, 422 where there is input to validate, and 500."""
    for route in app.routes:
        if not isinstance(route, APIRoute) or route.path in OPERATIONAL_PATHS:
            continue
        statuses = [500]
        if authenticated and not route.path.startswith(open_prefixes):
            statuses.append(401)
        dependant = route.dependant
        if dependant.path_params or dependant.query_params or dependant.header_params or dependant.body_params:
            statuses.append(422)
        for status, response in error_responses(*statuses).items():
            route.responses.setdefault(status, response)


def create_service_app(
    *,
    settings: ServiceSettings,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    readiness_checks: dict[str, ReadinessCheck] | None = None,
    lifespan: Callable[[FastAPI], AbstractAsyncContextManager[Any]] | None = None,
    internal_auth: bool = True,
    open_prefixes: tuple[str, ...] = (),
    edge: Sequence[Middleware] = (),
) -> FastAPI:
    """Build a FastAPI app with the plumbing every StoryScape service shares.

    `open_prefixes` are paths whose own signature is their authorisation (e.g. signed media URLs).
    `edge` middleware (outermost first) refuses requests before routing and auth; it runs inside the request
    context and metrics, so its refusals carry an X-Request-ID, are logged and counted like any other answer.
    """
    configure_logging(service=settings.service_name, level=settings.log_level)
    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if settings.docs_enabled else None,
        redoc_url=None,
        openapi_url="/openapi.json" if settings.docs_enabled else None,
    )
    app.state.settings = settings
    app.state.metrics_registry = CollectorRegistry()
    install_error_handlers(app)
    install_database_handlers(app)
    app.include_router(operations_router(readiness_checks or {}))
    for router in routers:
        app.include_router(router)
    declare_error_responses(app, authenticated=internal_auth, open_prefixes=open_prefixes)

    # Middleware added last runs first: request context wraps metrics wraps the edge wraps auth.
    if internal_auth:
        open_paths = OPERATIONAL_PATHS | (DOCS_PATHS if settings.docs_enabled else frozenset())
        verifier = InternalTokenVerifier(trusted=trusted_issuers(trusted_keys(settings)), audience=settings.service_name)
        app.add_middleware(InternalAuthMiddleware, verifier=verifier, open_paths=open_paths, open_prefixes=open_prefixes)
    for middleware in reversed(edge):
        app.add_middleware(middleware.cls, *middleware.args, **middleware.kwargs)
    app.add_middleware(MetricsMiddleware, registry=app.state.metrics_registry, service=settings.service_name)
    app.add_middleware(RequestContextMiddleware)
    return app


def serve(factory: str, settings: ServiceSettings) -> None:
    """Run `module:create_app` under uvicorn with the settings' edge limits (`python -m <module>`)."""
    server.run(factory, settings, operational_paths=OPERATIONAL_PATHS)
