"""The base for service-to-service calls: one pooled httpx client, internal token and request id on every call."""

from __future__ import annotations

from typing import Any

import httpx

from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import InternalTokenSigner

DEFAULT_TIMEOUT = httpx.Timeout(connect=3.0, read=30.0, write=30.0, pool=5.0)


class InternalClient:
    """Calls one service (`audience`) on behalf of a user, signing a fresh internal token per call."""

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
        self.http = httpx.AsyncClient(base_url=base_url, timeout=timeout, transport=transport)

    def headers_for(self, *, user_id: str, request_id: str) -> dict[str, str]:
        token = self.signer.sign(user_id=user_id, audience=self.audience, request_id=request_id)
        return {"Authorization": f"Bearer {token}", "X-Request-ID": request_id}

    async def request(self, method: str, path: str, *, user_id: str, request_id: str, **kwargs: Any) -> httpx.Response:
        """Send one request; connection failures and timeouts become 503/504 ApiErrors."""
        headers = {**kwargs.pop("headers", {}), **self.headers_for(user_id=user_id, request_id=request_id)}
        try:
            return await self.http.request(method, path, headers=headers, **kwargs)
        except httpx.TimeoutException as exc:
            raise ApiError(504, "upstream_timeout", f"{self.audience} did not answer in time") from exc
        except httpx.TransportError as exc:
            raise ApiError(503, "upstream_unavailable", f"{self.audience} is unavailable") from exc

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
