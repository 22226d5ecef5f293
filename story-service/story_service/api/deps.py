"""Typed dependencies of story-service's endpoints: what each request needs, resolved from the app once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from story_service.idempotency import IdempotencyKeys
from story_service.moderation import Regenerations
from story_service.outbox import Outbox
from story_service.providers import ModelRouter
from story_service.service import StoryContext
from story_service.settings import Settings
from storyscape_common.clients.history import HistoryClient
from storyscape_common.clients.media import MediaClient
from storyscape_common.clients.prompt import PromptClient
from storyscape_common.deps import CurrentIdentity
from storyscape_safety import Moderator


def settings(request: Request) -> Settings:
    value: Settings = request.app.state.settings
    return value


def model_router(request: Request) -> ModelRouter:
    value: ModelRouter = request.app.state.model_router
    return value


def history_client(request: Request) -> HistoryClient:
    value: HistoryClient = request.app.state.history
    return value


def prompt_client(request: Request) -> PromptClient:
    value: PromptClient = request.app.state.prompt
    return value


SettingsDep = Annotated[Settings, Depends(settings)]
ModelRouterDep = Annotated[ModelRouter, Depends(model_router)]
HistoryDep = Annotated[HistoryClient, Depends(history_client)]
PromptDep = Annotated[PromptClient, Depends(prompt_client)]


def outbox(request: Request) -> Outbox:
    value: Outbox = request.app.state.outbox
    return value


def idempotency_keys(request: Request) -> IdempotencyKeys:
    value: IdempotencyKeys = request.app.state.idempotency
    return value


OutboxDep = Annotated[Outbox, Depends(outbox)]
IdempotencyDep = Annotated[IdempotencyKeys, Depends(idempotency_keys)]


def media_client(request: Request) -> MediaClient:
    value: MediaClient = request.app.state.media
    return value


MediaDep = Annotated[MediaClient, Depends(media_client)]


def moderator(request: Request) -> Moderator:
    value: Moderator = request.app.state.moderator
    return value


ModeratorDep = Annotated[Moderator, Depends(moderator)]


def regenerations(request: Request) -> Regenerations:
    value: Regenerations = request.app.state.regenerations
    return value


RegenerationsDep = Annotated[Regenerations, Depends(regenerations)]


def story_context(
    identity: CurrentIdentity,
    settings: SettingsDep,
    router: ModelRouterDep,
    outbox: OutboxDep,
    idempotency: IdempotencyDep,
    media: MediaDep,
    moderator: ModeratorDep,
    regenerations: RegenerationsDep,
) -> StoryContext:
    """Everything one story needs, for the user (and request id) the internal token vouches for."""
    return StoryContext(
        settings=settings,
        router=router,
        outbox=outbox,
        idempotency=idempotency,
        identity=identity,
        moderator=moderator,
        regenerations=regenerations,
        media=media,
    )


StoryContextDep = Annotated[StoryContext, Depends(story_context)]
