"""Internal endpoints for story-service and history-service: register stories, create and read media jobs,
follow their events, attach a saved story's photo, delete a story's or a user's media, and delete everything of an
account. Everything is scoped by the verified user."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Path, Query, Request, Response
from fastapi.responses import StreamingResponse

from media_service import repository, service
from media_service.api.deps import NotifierDep, Now, ObjectStoreDep, ServiceIdentity, UrlExpiry
from media_service.api.events import job_events
from storyscape_common.contracts.media import (
    STORY_ID_PATTERN,
    IllustrationsCreate,
    JobList,
    MediaDeleted,
    MediaJob,
    MediaPage,
    MediaRead,
    PhotoAttach,
    PhotoAttached,
    StoryIds,
    StoryMedia,
    StoryRegistered,
    StoryText,
)
from storyscape_common.db import SessionDep
from storyscape_common.deps import CurrentIdentity
from storyscape_common.errors import ApiError
from storyscape_common.registry import STORY_SERVICE
from storyscape_common.sse import SSE_HEADERS, SSE_MEDIA_TYPE

router = APIRouter(prefix="/internal", tags=["internal"])
StoryId = Annotated[str, Path(pattern=STORY_ID_PATTERN, description="The story's id (as story-service assigned it)")]
FORBIDDEN: dict[int | str, dict[str, Any]] = {403: {"description": "The caller is not story-service or history-service"}}
# story-service runs the account-deletion jobs (its account_deletion.py); only it may delete a whole account here.
ACCOUNT_DELETION_CALLER = STORY_SERVICE
UNKNOWN_STORY: dict[int | str, dict[str, Any]] = {404: {"description": "No such story registered for this user"}}


@router.put(
    "/stories/{story_id}",
    status_code=201,
    summary="Register a finished story's text so media can be made for it (idempotent)",
    responses={
        200: {"model": StoryRegistered, "description": "Already registered"},
        409: {"description": "Another user's id"},
        **FORBIDDEN,
    },
)
async def register_story(
    story_id: StoryId, story: StoryText, response: Response, session: SessionDep, identity: ServiceIdentity, now: Now
) -> StoryRegistered:
    registered = await service.register_story(session, user_id=identity.user_id, story_id=story_id, story=story, now=now)
    if not registered.created:
        response.status_code = 200
    return registered


@router.post(
    "/stories/{story_id}/illustrations",
    status_code=202,
    summary="Ask for the story's pictures (AI or neutral); the same request again returns the same jobs",
    responses={**UNKNOWN_STORY, **FORBIDDEN},
)
async def create_illustrations(
    story_id: StoryId, request: IllustrationsCreate, session: SessionDep, identity: ServiceIdentity, now: Now,
    store: ObjectStoreDep, expiry: UrlExpiry, notifier: NotifierDep, background: BackgroundTasks,
) -> JobList:  # fmt: skip
    jobs = await service.create_illustrations(session, user_id=identity.user_id, story_id=story_id, request=request, now=now)
    background.add_task(notifier.notify)  # after the commit, so the workers find the rows
    return JobList(jobs=[await service.present(job, store, expires_in=expiry) for job in jobs])


@router.post(
    "/stories/{story_id}/narration",
    status_code=202,
    summary="Ask for the story's narration; asking again returns the same job and audio",
    responses={**UNKNOWN_STORY, **FORBIDDEN},
)
async def create_narration(
    story_id: StoryId, session: SessionDep, identity: ServiceIdentity, now: Now,
    store: ObjectStoreDep, expiry: UrlExpiry, notifier: NotifierDep, background: BackgroundTasks,
) -> MediaJob:  # fmt: skip
    job = await service.create_narration(session, user_id=identity.user_id, story_id=story_id, now=now)
    background.add_task(notifier.notify)
    return await service.present(job, store, expires_in=expiry)


@router.get("/stories/{story_id}/jobs", summary="The story's jobs, with fresh URLs for finished ones", responses=FORBIDDEN)
async def list_jobs(story_id: StoryId, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep, expiry: UrlExpiry) -> JobList:
    jobs = await repository.story_jobs(session, user_id=identity.user_id, story_id=story_id)
    return JobList(jobs=[await service.present(job, store, expires_in=expiry) for job in jobs])


@router.get(
    "/stories/{story_id}/media",
    summary="The story's pictures and narration for a Story read (fresh URLs; empty when none)",
    responses=FORBIDDEN,
)
async def story_media(
    story_id: StoryId, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep, expiry: UrlExpiry
) -> StoryMedia:
    jobs = await repository.story_jobs(session, user_id=identity.user_id, story_id=story_id)
    return await service.story_media([await service.present(job, store, expires_in=expiry) for job in jobs], story_id)


@router.post(
    "/media/read",
    summary="Pictures, narration and source-photo URLs for a page of Story reads, in one call (fresh URLs)",
    responses=FORBIDDEN,
)
async def read_media(
    body: MediaRead, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep, expiry: UrlExpiry
) -> MediaPage:
    return await service.media_page(session, store, body, user_id=identity.user_id, expires_in=expiry)


@router.get("/jobs/{job_id}", summary="One job", responses={404: {"description": "No such job for this user"}, **FORBIDDEN})
async def get_job(job_id: str, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep, expiry: UrlExpiry) -> MediaJob:
    job = await repository.get_job(session, user_id=identity.user_id, job_id=job_id)
    if job is None:
        raise ApiError(404, "not_found", "job not found")
    return await service.present(job, store, expires_in=expiry)


@router.get(
    "/stories/{story_id}/events",
    summary="SSE: `job` each time one of the story's jobs changes (current state first), then `idle` or `timeout`",
    response_class=StreamingResponse,
    responses={200: {"content": {SSE_MEDIA_TYPE: {}}}, **FORBIDDEN},
)
async def story_events(
    story_id: StoryId, request: Request, identity: ServiceIdentity,
    timeout_s: Annotated[float, Query(gt=0, le=600, description="Close the stream after this long")] = 60.0,
) -> StreamingResponse:  # fmt: skip
    stream = job_events(request.app, user_id=identity.user_id, story_id=story_id, timeout_s=timeout_s)
    return StreamingResponse(stream, media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS)


@router.put(
    "/stories/{story_id}/photo",
    summary="The saved story was written from this upload: keep it (no sweep) and delete it with the story (idempotent)",
    responses=FORBIDDEN,
)
async def attach_photo(story_id: StoryId, body: PhotoAttach, session: SessionDep, identity: ServiceIdentity, now: Now) -> PhotoAttached:
    return await service.attach_photo(session, user_id=identity.user_id, story_id=story_id, object_key=body.object_key, now=now)


@router.delete("/stories/{story_id}", summary="Delete the story's media objects, photo and jobs (idempotent)", responses=FORBIDDEN)
async def delete_story(story_id: StoryId, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep) -> MediaDeleted:
    return await service.delete_media(session, store, user_id=identity.user_id, story_ids=[story_id])


@router.post("/media/delete", summary="Delete the media of several stories (clear history keeps favourites)", responses=FORBIDDEN)
async def delete_stories(body: StoryIds, session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep) -> MediaDeleted:
    return await service.delete_media(session, store, user_id=identity.user_id, story_ids=body.story_ids)


@router.delete("/media", summary="Delete the media of all of the user's stories (clear everything)", responses=FORBIDDEN)
async def delete_all(session: SessionDep, identity: ServiceIdentity, store: ObjectStoreDep) -> MediaDeleted:
    return await service.delete_media(session, store, user_id=identity.user_id, story_ids=None)


@router.delete(
    "/me",
    status_code=204,
    response_class=Response,
    summary="Account deletion: every object and row of the token's user (uploads, pictures, narration, jobs); idempotent",
    responses={403: {"description": "The caller is not story-service (which runs account-deletion jobs)"}},
)
async def delete_account(session: SessionDep, identity: CurrentIdentity, store: ObjectStoreDep) -> Response:
    if not identity.issued_by(ACCOUNT_DELETION_CALLER):
        raise ApiError(403, "forbidden", f"only {ACCOUNT_DELETION_CALLER} deletes accounts")
    await service.delete_account(session, store, user_id=identity.user_id)
    return Response(status_code=204)
