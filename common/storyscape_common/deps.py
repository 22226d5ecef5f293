"""Typed dependencies shared by every service's endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity


def current_identity(request: Request) -> Identity:
    """The verified internal identity the auth middleware attached to this request."""
    identity = getattr(request.state, "identity", None)
    if not isinstance(identity, Identity):
        raise ApiError(401, "unauthenticated", "missing internal identity")
    return identity


def current_request_id(request: Request) -> str:
    return str(getattr(request.state, "request_id", ""))


CurrentIdentity = Annotated[Identity, Depends(current_identity)]
RequestId = Annotated[str, Depends(current_request_id)]
