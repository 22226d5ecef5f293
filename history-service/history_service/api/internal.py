"""Internal endpoints: story-service saves finished stories here; the gateway reads the home screen's part."""

from __future__ import annotations

from fastapi import APIRouter, Response

from history_service import service
from history_service.api.deps import Now, Photos, StoryServiceIdentity
from history_service.schemas import Story, StoryCreate
from storyscape_common.contracts.home import HistoryHome
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity

router = APIRouter(prefix="/internal", tags=["internal"])


@router.post(
    "/stories",
    status_code=201,
    summary="Save a finished story for the caller's user (story-service only; idempotent on id)",
    responses={
        200: {"model": Story, "description": "Already saved: the stored story, unchanged"},
        403: {"description": "The token was not issued by story-service"},
        409: {"description": "The id belongs to another user's story"},
        410: {"description": "`story_deleted`: the reader deleted this story (a tombstone); nothing is stored, do not retry"},
        503: {"description": "A photo story, and media-service could not take its photo: retry"},
    },
)
async def save_story(
    story: StoryCreate, response: Response, session: SessionDep, identity: StoryServiceIdentity, now: Now, photos: Photos
) -> Story:
    keep_photo = photos.keeper(identity)
    saved, created = await service.save_story(session=session, user_id=identity.user_id, story=story, now=now, keep_photo=keep_photo)
    if not created:
        response.status_code = 200
    return saved


@router.get("/home", summary="The caller's user's 5 newest stories (no text) and favorites count, for the home screen")
async def home(session: SessionDep, identity: CurrentIdentity) -> HistoryHome:
    return await service.home(session=session, user_id=identity.user_id)
