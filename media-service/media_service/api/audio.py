"""Public narration routes (through the gateway): `POST|GET /v1/stories/{id}/audio`.

media-service does not own stories: it narrates the text story-service registered for this user when the story
completed (`PUT /internal/stories/{id}`). A story it does not know for this user is a 404.
"""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response

from media_service import repository, service
from media_service.api.deps import NotifierDep, Now, ObjectStoreDep, UrlExpiry
from media_service.api.internal import StoryId
from storyscape_common.contracts.media import AudioStatus
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError

router = APIRouter(prefix="/v1/stories", tags=["narration"])


@router.post(
    "/{story_id}/audio",
    status_code=202,
    response_model_exclude_none=True,  # `{"status": "pending"}`: no url until there is one (API.md)
    summary="Narrate the story (once: asking again returns the same audio)",
    responses={200: {"model": AudioStatus, "description": "The audio is ready"}, 404: {"description": "No such story for this user"}},
)
async def request_audio(
    story_id: StoryId, response: Response, session: SessionDep, identity: CurrentIdentity, now: Now,
    store: ObjectStoreDep, expiry: UrlExpiry, notifier: NotifierDep, background: BackgroundTasks,
) -> AudioStatus:  # fmt: skip
    job = await service.create_narration(session, user_id=identity.user_id, story_id=story_id, now=now)
    background.add_task(notifier.notify)
    status = service.audio_status(await service.present(job, store, expires_in=expiry))
    if status.status == "ready":
        response.status_code = 200
    return status


@router.get(
    "/{story_id}/audio",
    response_model_exclude_none=True,
    summary="Poll the story's narration",
    responses={404: {"description": "No such story for this user, or no narration asked for yet"}},
)
async def poll_audio(
    story_id: StoryId, session: SessionDep, identity: CurrentIdentity, store: ObjectStoreDep, expiry: UrlExpiry
) -> AudioStatus:
    await service.owned_story(session, user_id=identity.user_id, story_id=story_id)
    jobs = [j for j in await repository.story_jobs(session, user_id=identity.user_id, story_id=story_id) if j.kind == "narration"]
    if not jobs:
        raise ApiError(404, "not_found", "no narration asked for this story yet")
    return service.audio_status(await service.present(jobs[-1], store, expires_in=expiry))
