"""The upstream services: one pooled HTTP client each, and a readiness check per service."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from gateway.resources import GatewayResources
from gateway.settings import Settings
from storyscape_common.app import ReadinessCheck


def upstream_clients(settings: Settings) -> dict[str, httpx.AsyncClient]:
    """One pooled client per upstream service, keyed by service name."""
    timeout = httpx.Timeout(
        connect=settings.upstream_connect_timeout_seconds,
        read=settings.upstream_read_timeout_seconds,
        write=settings.upstream_write_timeout_seconds,
        pool=settings.upstream_connect_timeout_seconds,
    )
    limits = httpx.Limits(max_connections=settings.upstream_max_connections, max_keepalive_connections=50)
    return {
        name: httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits, follow_redirects=False)
        for name, url in settings.upstream_urls().items()
    }


def health_check(service: str) -> ReadinessCheck:
    """Readiness: the service answers its own `/healthz`."""

    async def check(app: FastAPI) -> None:
        resources: GatewayResources = app.state.gateway
        response = await resources.upstreams[service].get("/healthz")
        response.raise_for_status()

    return check


def readiness_checks(settings: Settings) -> dict[str, ReadinessCheck]:
    return {service: health_check(service) for service in settings.upstream_urls()}
