"""Typed dependencies for media-service endpoints."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from media_service.jobs.notifier import JobNotifier
from media_service.storage import ObjectStore
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

# Services that may drive media jobs directly; a user's gateway token reaches only the public routes.
INTERNAL_CALLERS = frozenset({"storyscape:story-service", "storyscape:history-service"})


def object_store(request: Request) -> ObjectStore:
    """The app's object store, opened by the lifespan."""
    store: ObjectStore = request.app.state.object_store
    return store


def current_time(request: Request) -> datetime:
    clock: Callable[[], datetime] = request.app.state.clock
    return clock()


def job_notifier(request: Request) -> JobNotifier:
    notifier: JobNotifier = request.app.state.notifier
    return notifier


def url_expiry(request: Request) -> int:
    return int(request.app.state.settings.url_expiry_s)


def service_identity(identity: CurrentIdentity) -> Identity:
    if identity.issuer not in INTERNAL_CALLERS:
        raise ApiError(403, "forbidden", "only story-service and history-service may call internal media routes")
    return identity


ObjectStoreDep = Annotated[ObjectStore, Depends(object_store)]
Now = Annotated[datetime, Depends(current_time)]
NotifierDep = Annotated[JobNotifier, Depends(job_notifier)]
UrlExpiry = Annotated[int, Depends(url_expiry)]
ServiceIdentity = Annotated[Identity, Depends(service_identity)]
