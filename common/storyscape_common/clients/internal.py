"""The base for service-to-service calls: one pooled httpx client, and the one place internal auth headers are built."""

from __future__ import annotations

from typing import Any

import httpx

from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity, InternalTokenSigner

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=30.0, write=30.0, pool=5.0)
# Our servers close a keep-alive connection once it has been idle `keep_alive_timeout_seconds` (5 s by default,
# never under 3). A client keeping idle connections as long (httpx's default is also 5 s) now and then sends a
# request down one at the very moment the server closes it, and that request fails as "unavailable" through no
# fault of either side. Every client of our own services lets an idle connection go well before that.
KEEPALIVE_SECONDS = 2.0


def pool_limits(*, max_connections: int = 100, max_keepalive: int = 20) -> httpx.Limits:
    """Connection-pool limits for calling one of our own services (idle connections kept `KEEPALIVE_SECONDS`)."""
    return httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_keepalive, keepalive_expiry=KEEPALIVE_SECONDS)


def internal_headers(signer: InternalTokenSigner, *, identity: Identity, audience: str) -> dict[str, str]:
    """Headers that carry the caller's user and request id to `audience`, signed with this service's own key."""
    token = signer.sign(user_id=identity.user_id, audience=audience, request_id=identity.request_id)
    return {"Authorization": f"Bearer {token}", "X-Request-ID": identity.request_id}


class InternalClient:
    """Calls one service (`audience`) on behalf of the identity a request arrived with."""

    def __init__(
        self,
        *,
        base_url: str,
        audience: str,
        signer: InternalTokenSigner,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.audience = audience
        self.signer = signer
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport, limits=pool_limits())

    def headers_for(self, identity: Identity) -> dict[str, str]:
        return internal_headers(self.signer, identity=identity, audience=self.audience)

    async def request(self, method: str, path: str, *, identity: Identity, **kwargs: Any) -> httpx.Response:
        """Send one request; connection failures and timeouts become 503/504 ApiErrors."""
        headers = {**kwargs.pop("headers", {}), **self.headers_for(identity)}
        try:
            return await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiError(504, "upstream_timeout", f"{self.audience} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ApiError(503, "upstream_unavailable", f"{self.audience} is unavailable") from exc

    async def healthy(self) -> None:
        """Raise unless the service answers `/healthz` (a readiness check for its callers)."""
        (await self.http.get("/healthz")).raise_for_status()

    async def aclose(self) -> None:
        await self.http.aclose()


def raise_for_upstream(response: httpx.Response, service: str) -> None:
    """Pass a downstream 4xx through in our shape; report a 5xx as the service being unavailable."""
    if response.is_success:
        return
    if response.status_code < 500:
        try:
            error = response.json()["error"]
            raise ApiError(response.status_code, error["code"], error["message"])
        except (ValueError, KeyError, TypeError):
            raise ApiError(response.status_code, "invalid_request", f"{service} refused the request") from None
    raise ApiError(502, "upstream_unavailable", f"{service} failed ({response.status_code})")
