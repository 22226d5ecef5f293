"""Typed client for media-service's internal API (story-service asks for pictures and voice; history-service
reads them for Story objects and deletes them with the story). See media-service/README.md."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx

from storyscape_common.clients.internal import InternalClient, raise_for_upstream
from storyscape_common.contracts.media import (
    IDLE_EVENT,
    JOB_EVENT,
    AudioStatus,
    IllustrationsCreate,
    JobList,
    MediaDeleted,
    MediaJob,
    MediaPage,
    MediaRead,
    PhotoAttach,
    PhotoAttached,
    PhotoUploaded,
    PhotoUrl,
    StoryIds,
    StoryMedia,
    StoryRegistered,
    StoryText,
)
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.sse import iter_events

AUDIENCE = "media-service"


class MediaClient(InternalClient):
    def __init__(self, *, base_url: str, **kwargs: Any) -> None:
        super().__init__(base_url=base_url, audience=AUDIENCE, **kwargs)

    async def _call(self, method: str, path: str, *, identity: Identity, **kwargs: Any) -> Any:
        response = await self.request(method, path, identity=identity, **kwargs)
        raise_for_upstream(response, AUDIENCE)
        return response.json()

    async def register_story(self, story_id: str, story: StoryText, *, identity: Identity) -> StoryRegistered:
        """Tell media-service a finished story's text (idempotent); needed before any job for it."""
        body = story.model_dump(mode="json")
        data = await self._call("PUT", f"/internal/stories/{story_id}", identity=identity, json=body)
        return StoryRegistered.model_validate(data)

    async def request_illustrations(self, story_id: str, request: IllustrationsCreate, *, identity: Identity) -> JobList:
        path = f"/internal/stories/{story_id}/illustrations"
        data = await self._call("POST", path, identity=identity, json=request.model_dump(mode="json"))
        return JobList.model_validate(data)

    async def request_narration(self, story_id: str, *, identity: Identity) -> MediaJob:
        data = await self._call("POST", f"/internal/stories/{story_id}/narration", identity=identity)
        return MediaJob.model_validate(data)

    async def jobs(self, story_id: str, *, identity: Identity) -> JobList:
        data = await self._call("GET", f"/internal/stories/{story_id}/jobs", identity=identity)
        return JobList.model_validate(data)

    async def story_media(self, story_id: str, *, identity: Identity) -> StoryMedia:
        """Pictures and narration for a Story read, with URLs signed now."""
        data = await self._call("GET", f"/internal/stories/{story_id}/media", identity=identity)
        return StoryMedia.model_validate(data)

    async def read_media(self, story_ids: list[str], photo_keys: list[str], *, identity: Identity) -> MediaPage:
        """Media of up to MAX_MEDIA_READ stories and URLs of their source photos, in one call."""
        body = MediaRead(story_ids=story_ids, photo_keys=photo_keys).model_dump()
        return MediaPage.model_validate(await self._call("POST", "/internal/media/read", identity=identity, json=body))

    async def job_updates(self, story_id: str, *, identity: Identity, timeout_s: float = 60.0) -> AsyncIterator[MediaJob]:
        """Each job of the story as it changes (its current state first), until all finished or `timeout_s`."""
        path = f"/internal/stories/{story_id}/events"
        headers = self.headers_for(identity)
        timeout = httpx.Timeout(connect=3.0, read=timeout_s + 30.0, write=10.0, pool=5.0)
        try:
            async with self.http.stream("GET", path, params={"timeout_s": timeout_s}, headers=headers, timeout=timeout) as response:
                if not response.is_success:
                    await response.aread()
                    raise_for_upstream(response, AUDIENCE)
                async for event in iter_events(response.aiter_lines()):
                    if event.event == JOB_EVENT:
                        yield MediaJob.model_validate(json.loads(event.data))
                    elif event.event == IDLE_EVENT:
                        return
        except httpx.TransportError as exc:
            raise ApiError(503, "upstream_unavailable", f"{AUDIENCE} is unavailable") from exc

    async def upload_photo(self, data: bytes, *, language: str, identity: Identity) -> PhotoUploaded:
        """Check, clean, moderate, store and describe a photo (415/413/422 and 422 content_blocked pass through)."""
        headers = {"content-type": "application/octet-stream"}
        params = {"language": language}
        data_out = await self._call("POST", "/internal/uploads", identity=identity, content=data, headers=headers, params=params)
        return PhotoUploaded.model_validate(data_out)

    async def photo_url(self, key: str, *, identity: Identity) -> PhotoUrl:
        """A fresh URL for the user's stored photo (404 for a key that is not theirs)."""
        data = await self._call("GET", "/internal/uploads/url", identity=identity, params={"key": key})
        return PhotoUrl.model_validate(data)

    async def attach_photo(self, story_id: str, object_key: str, *, identity: Identity) -> PhotoAttached:
        """The saved story was written from this upload: media-service keeps it (no sweep) and deletes it with the story."""
        body = PhotoAttach(object_key=object_key).model_dump()
        data = await self._call("PUT", f"/internal/stories/{story_id}/photo", identity=identity, json=body)
        return PhotoAttached.model_validate(data)

    async def delete_story_media(self, story_id: str, *, identity: Identity) -> MediaDeleted:
        data = await self._call("DELETE", f"/internal/stories/{story_id}", identity=identity)
        return MediaDeleted.model_validate(data)

    async def delete_stories_media(self, story_ids: list[str], *, identity: Identity) -> MediaDeleted:
        body = StoryIds(story_ids=story_ids).model_dump()
        data = await self._call("POST", "/internal/media/delete", identity=identity, json=body)
        return MediaDeleted.model_validate(data)

    async def delete_user_media(self, *, identity: Identity) -> MediaDeleted:
        data = await self._call("DELETE", "/internal/media", identity=identity)
        return MediaDeleted.model_validate(data)

    async def delete_account_media(self, *, identity: Identity) -> None:
        """Every object and row media-service holds of the token's user (account deletion; idempotent, 204)."""
        response = await self.request("DELETE", "/internal/me", identity=identity)
        raise_for_upstream(response, AUDIENCE)

    async def request_audio(self, story_id: str, *, identity: Identity) -> AudioStatus:
        """The public narration route, for callers that hold a user identity (e.g. the gateway's tests)."""
        data = await self._call("POST", f"/v1/stories/{story_id}/audio", identity=identity)
        return AudioStatus.model_validate(data)
