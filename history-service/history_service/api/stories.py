"""Public story endpoints (reached through the gateway): list, read, delete the caller's own stories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from history_service import service
from history_service.api.deps import Now, ReaderTimezone
from history_service.schemas import Story, StoryPage
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/v1/stories", tags=["stories"])

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such story for this user"}}


@router.get(
    "",
    summary="The caller's stories, newest first, grouped by day in their time zone",
    responses={400: {"description": "The cursor is not one we issued, or X-User-Timezone is not an IANA zone"}},
)
async def list_stories(
    session: SessionDep,
    identity: CurrentIdentity,
    now: Now,
    tz: ReaderTimezone,
    cursor: Annotated[str | None, Query(description="`next_cursor` of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> StoryPage:
    return await service.list_stories(session=session, user_id=identity.user_id, cursor=cursor, limit=limit, tz=tz, now=now)


@router.get("/{story_id}", summary="One of the caller's stories", responses=NOT_FOUND)
async def get_story(story_id: str, session: SessionDep, identity: CurrentIdentity) -> Story:
    return await service.get_story(session=session, user_id=identity.user_id, story_id=story_id)


@router.delete("/{story_id}", status_code=204, summary="Delete one of the caller's stories", responses=NOT_FOUND)
async def delete_story(story_id: str, session: SessionDep, identity: CurrentIdentity) -> Response:
    await service.delete_story(session=session, user_id=identity.user_id, story_id=story_id)
    return Response(status_code=204)
