"""Typed dependencies for media-service endpoints."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from media_service.storage import ObjectStore


def object_store(request: Request) -> ObjectStore:
    """The app's object store, opened by the lifespan."""
    store: ObjectStore = request.app.state.object_store
    return store


ObjectStoreDep = Annotated[ObjectStore, Depends(object_store)]
