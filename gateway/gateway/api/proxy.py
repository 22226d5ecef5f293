"""The public `/v1` API: every path is relayed to the service that owns it.

The catch-all relay is a plain Starlette route, not a FastAPI one: it has no body or parameters to validate, and
FastAPI's dependency solving cost a fifth of the gateway's CPU per relayed request. Its errors still go through
the app's error handlers (the API.md shape, with the request id).
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gateway.api.deps import RequestId, Upstreams, firebase_user, gateway_resources, request_id, route_owner
from gateway.proxy import forward
from gateway.routing import MEDIA_SERVICE, is_signed_media_path
from storyscape_common.errors import ApiError

router = APIRouter()
PROXIED_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


@router.api_route("/v1/media/objects/{object_path:path}", methods=["GET", "HEAD"], include_in_schema=False)
async def signed_media_object(request: Request, upstreams: Upstreams, request_id: RequestId) -> Response:
    """Signed media URLs need no Firebase token: media-service checks their signature."""
    if not is_signed_media_path(request.url.path):
        raise ApiError(404, "not_found", "no such path")
    return await forward(request, upstream=upstreams[MEDIA_SERVICE], internal_token=None, request_id=request_id)


async def relay_to_service(request: Request) -> Response:
    """Relay a public route to the service that owns it, with a fresh internal token addressed to it (the edge has
    already refused paths that are not public routes and requests without a valid ID token)."""
    resources = await gateway_resources(request)
    user = await firebase_user(request, resources)
    service = await route_owner(request)
    rid = await request_id(request)
    token = resources.signer.sign(user_id=user.uid, audience=service, request_id=rid)
    relay = partial(forward, request, upstream=resources.upstreams[service], internal_token=token, request_id=rid)
    return await resources.story_limits.relay(request, user.uid, relay)


router.add_route("/v1/{path:path}", relay_to_service, methods=PROXIED_METHODS, include_in_schema=False)
