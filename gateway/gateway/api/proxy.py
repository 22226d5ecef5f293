"""The public `/v1` API: every path is relayed to the service that owns it."""

from __future__ import annotations

from functools import partial

import httpx
from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.deps import CurrentUser
from gateway.proxy import forward
from gateway.rate_limits import StoryLimits
from gateway.routing import MEDIA_SERVICE, is_signed_media_path, service_for
from storyscape_common.deps import RequestId
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import InternalTokenSigner

router = APIRouter()
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


def upstream_client(request: Request, service: str) -> httpx.AsyncClient:
    clients: dict[str, httpx.AsyncClient] = request.app.state.upstreams
    return clients[service]


@router.api_route("/v1/media/objects/{object_path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def signed_media_object(request: Request, request_id: RequestId) -> Response:
    """Signed media URLs need no Firebase token: media-service checks their signature."""
    if not is_signed_media_path(request.url.path):
        raise ApiError(404, "not_found", "no such path")
    return await forward(
        request, client=upstream_client(request, MEDIA_SERVICE), service=MEDIA_SERVICE, internal_token=None, request_id=request_id
    )


@router.api_route("/v1/{path:path}", methods=PROXIED_METHODS, include_in_schema=False)
async def relay_to_service(request: Request, user: CurrentUser, request_id: RequestId) -> Response:
    """Verify the user, then relay to the owning service with a fresh internal token addressed to it."""
    service = service_for(method=request.method, path=request.url.path)
    if service is None:
        raise ApiError(404, "not_found", "no such path")
    signer: InternalTokenSigner = request.app.state.signer
    token = signer.sign(user_id=user.uid, audience=service, request_id=request_id)
    client = upstream_client(request, service)
    relay = partial(forward, request, client=client, service=service, internal_token=token, request_id=request_id)
    limits: StoryLimits = request.app.state.story_limits
    return await limits.relay(request, user.uid, relay)
