"""Typed dependencies of the gateway's endpoints: the only code that reads the app's state.

All are `async def`, though none awaits: FastAPI runs a plain `def` dependency in a worker thread, and that hop
cost more than the rest of the gateway's own work per request.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from gateway.edge import ROUTE_STATE, USER_STATE
from gateway.firebase import FirebaseUser, bearer_token
from gateway.rate_limits import StoryLimits
from gateway.resources import GatewayResources, resources_of
from gateway.routing import Resolved
from gateway.settings import Settings
from gateway.upstreams import Upstream
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import InternalTokenSigner


async def gateway_resources(request: Request) -> GatewayResources:
    return resources_of(request.app)


Resources = Annotated[GatewayResources, Depends(gateway_resources)]


async def firebase_user(request: Request, resources: Resources) -> FirebaseUser:
    """The user whose Firebase ID token came in `Authorization: Bearer …` (the edge verified it before reading
    the body); 401 otherwise."""
    verified: FirebaseUser | None = request.scope.get("state", {}).get(USER_STATE)
    if verified is not None:
        return verified
    return await resources.firebase.verify(bearer_token(request.headers.get("authorization")))


async def route_owner(request: Request) -> str:
    """The service that owns this public route (the edge resolved it); 404 for a path no service owns."""
    resolved: Resolved | None = request.scope.get("state", {}).get(ROUTE_STATE)
    if resolved is None or resolved.service is None:
        raise ApiError(404, "not_found", "no such path")
    return resolved.service


async def internal_signer(resources: Resources) -> InternalTokenSigner:
    return resources.signer


async def upstreams(resources: Resources) -> dict[str, Upstream]:
    return resources.upstreams


async def story_limits(resources: Resources) -> StoryLimits:
    return resources.story_limits


async def gateway_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def request_id(request: Request) -> str:
    """The id the request-context middleware accepted or made for this request."""
    return str(request.state.request_id)


CurrentUser = Annotated[FirebaseUser, Depends(firebase_user)]
Signer = Annotated[InternalTokenSigner, Depends(internal_signer)]
Upstreams = Annotated[dict[str, Upstream], Depends(upstreams)]
RequestId = Annotated[str, Depends(request_id)]
SettingsDep = Annotated[Settings, Depends(gateway_settings)]
Limits = Annotated[StoryLimits, Depends(story_limits)]
