"""The public `/v1` API: every path is relayed to the service that owns it."""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.deps import CurrentUser, Limits, RequestId, Signer, Upstreams
from gateway.proxy import forward
from gateway.routing import MEDIA_SERVICE, is_signed_media_path, service_for
from storyscape_common.errors import ApiError

router = APIRouter()
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("/v1/media/objects/{object_path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def signed_media_object(request: Request, upstreams: Upstreams, request_id: RequestId) -> Response:
    """Signed media URLs need no Firebase token: media-service checks their signature."""
    if not is_signed_media_path(request.url.path):
        raise ApiError(404, "not_found", "no such path")
    return await forward(request, upstream=upstreams[MEDIA_SERVICE], internal_token=None, request_id=request_id)


@router.api_route("/v1/{path:path}", methods=PROXIED_METHODS, include_in_schema=False)
async def relay_to_service(
    request: Request, user: CurrentUser, signer: Signer, upstreams: Upstreams, limits: Limits, request_id: RequestId
) -> Response:
    """Verify the user, then relay to the owning service with a fresh internal token addressed to it."""
    service = service_for(method=request.method, path=request.url.path)
    if service is None:
        raise ApiError(404, "not_found", "no such path")
    token = signer.sign(user_id=user.uid, audience=service, request_id=request_id)
    relay = partial(forward, request, upstream=upstreams[service], internal_token=token, request_id=request_id)
    return await limits.relay(request, user.uid, relay)
