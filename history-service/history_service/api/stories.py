"""Public story endpoints (reached through the gateway): list, search, read, favorite, delete, clear the caller's stories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from history_service import service
from history_service.api.deps import Media, Now, ReaderTimezone
from history_service.schemas import ClearResult, SearchPage, Story, StoryPage
from storyscape_common.contracts.errors import ErrorBody
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/stories", tags=["stories"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorBody, "description": "No such story for this user"}}


@router.get(
    "",
    summary="The caller's stories, newest first, grouped by day in their time zone",
    responses={400: {"model": ErrorBody, "description": "The cursor is not one we issued, or X-User-Timezone is not an IANA zone"}},
)
async def list_stories(
    session: SessionDep,
    identity: CurrentIdentity,
    media: Media,
    now: Now,
    tz: ReaderTimezone,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StoryPage:
    page = await service.list_stories(session=session, user_id=identity.user_id, cursor=cursor, limit=limit, tz=tz, now=now)
    await media.attach((story for group in page.groups for story in group.stories), identity=identity)
    return page


@router.get(
    "/search",
    summary="Keyword search over the caller's stories (title, text, prompt; Hindi and English), newest first",
    responses={
        400: {"model": ErrorBody, "description": "The cursor is not one we issued"},
        422: {"model": ErrorBody, "description": "Empty or too long q"},
    },
)
async def search_stories(
    session: SessionDep,
    identity: CurrentIdentity,
    media: Media,
    q: Annotated[str, Query(description="Words to find (all of them), 1..200 characters", max_length=1000)],
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchPage:
    page = await service.search_stories(session=session, user_id=identity.user_id, q=q, cursor=cursor, limit=limit)
    await media.attach(page.stories, identity=identity)
    return page


@router.delete("", summary="Clear the caller's history (favorites are kept unless include_favorites=true)")
async def clear_history(
    session: SessionDep,
    identity: CurrentIdentity,
    now: Now,
    include_favorites: Annotated[bool, Query(description="Also delete favorite stories")] = False,
) -> ClearResult:
    return await service.clear_history(session=session, user_id=identity.user_id, include_favorites=include_favorites, now=now)


@router.put("/{story_id}/favorite", summary="Mark one of the caller's stories as a favorite (idempotent)", responses=NOT_FOUND)
async def add_favorite(story_id: str, session: SessionDep, identity: CurrentIdentity, media: Media) -> Story:
    story = await service.set_favorite(session=session, user_id=identity.user_id, story_id=story_id, favorite=True)
    await media.attach([story], identity=identity)
    return story


@router.delete("/{story_id}/favorite", summary="Unmark a favorite (idempotent)", responses=NOT_FOUND)
async def remove_favorite(story_id: str, session: SessionDep, identity: CurrentIdentity, media: Media) -> Story:
    story = await service.set_favorite(session=session, user_id=identity.user_id, story_id=story_id, favorite=False)
    await media.attach([story], identity=identity)
    return story


@router.get("/{story_id}", summary="One of the caller's stories", responses=NOT_FOUND)
async def get_story(story_id: str, session: SessionDep, identity: CurrentIdentity, media: Media) -> Story:
    story = await service.get_story(session=session, user_id=identity.user_id, story_id=story_id)
    await media.attach([story], identity=identity)
    return story


@router.delete("/{story_id}", status_code=204, summary="Delete one of the caller's stories", responses=NOT_FOUND)
async def delete_story(story_id: str, session: SessionDep, identity: CurrentIdentity, now: Now) -> Response:
    await service.delete_story(session=session, user_id=identity.user_id, story_id=story_id, now=now)
    return Response(status_code=204)
