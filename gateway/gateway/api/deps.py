"""Typed dependencies of the gateway's endpoints: the only code that reads the app's state."""

from __future__ import annotations

from typing import Annotated

import httpx
from fastapi import Depends, Request

from gateway.firebase import FirebaseUser, bearer_token
from gateway.resources import GatewayResources
from storyscape_common.internal_auth import InternalTokenSigner


def gateway_resources(request: Request) -> GatewayResources:
    resources: GatewayResources = request.app.state.gateway
    return resources


Resources = Annotated[GatewayResources, Depends(gateway_resources)]


async def firebase_user(request: Request, resources: Resources) -> FirebaseUser:
    """The user whose Firebase ID token came in `Authorization: Bearer …`; 401 otherwise."""
    return await resources.firebase.verify(bearer_token(request.headers.get("authorization")))


def internal_signer(resources: Resources) -> InternalTokenSigner:
    return resources.signer


def upstream_clients(resources: Resources) -> dict[str, httpx.AsyncClient]:
    return resources.upstreams


CurrentUser = Annotated[FirebaseUser, Depends(firebase_user)]
Signer = Annotated[InternalTokenSigner, Depends(internal_signer)]
Upstreams = Annotated[dict[str, httpx.AsyncClient], Depends(upstream_clients)]
