"""Pictures, narration and the source photo on every Story this service returns, read from media-service with
fresh URLs; and, when a photo story is saved, telling media-service which story its uploaded photo became.

media-service is optional for reading: a page waits at most `timeout_s` for it, then the stories go out as
they are (no pictures, no audio) rather than making history wait on, or fail with, a media outage.
It is not optional for saving a photo story: media-service sweeps uploads no saved story claimed, so the save
fails (503, and story-service's outbox retries it) rather than leaving the photo to be swept from a saved story.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable

import httpx
from pydantic import ValidationError

from history_service.schemas import Story
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import MAX_MEDIA_READ, StoryMedia
from storyscape_common.contracts.stories import SourceImage, StoryAudio, StoryImage
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

logger = logging.getLogger("history_service.media")
PhotoKeeper = Callable[[str, str], Awaitable[None]]  # (story id, photo object key)


class MediaReader:
    def __init__(self, media: MediaClient, *, timeout_s: float) -> None:
        self.media = media
        self.timeout_s = timeout_s

    async def attach(self, stories: Iterable[Story], *, identity: Identity) -> None:
        """Fill `images`, `audio` and `source_image` of a page of stories: one call per 100 stories, all under
        one deadline."""
        page = list(stories)
        if not page:
            return
        chunks = [page[i : i + MAX_MEDIA_READ] for i in range(0, len(page), MAX_MEDIA_READ)]
        try:
            async with asyncio.timeout(self.timeout_s):
                results = await asyncio.gather(*(self._read(chunk, identity) for chunk in chunks), return_exceptions=True)
        except TimeoutError:
            logger.warning("media-service too slow; stories sent without media", extra={"fields": {"stories": len(page)}})
            return
        failures = [result for result in results if isinstance(result, BaseException)]
        for failure in failures:
            if not isinstance(failure, ApiError | httpx.HTTPError | ValidationError):
                raise failure
        if failures:
            logger.warning("media-service unavailable; stories sent without media", extra={"fields": {"failed": len(failures)}})

    async def _read(self, chunk: list[Story], identity: Identity) -> None:
        keys = [key for story in chunk if (key := story._source_image_key)]
        found = await self.media.read_media([str(story.id) for story in chunk], keys, identity=identity)
        media = {found_story.story_id: found_story for found_story in found.stories}
        for story in chunk:
            if (story_media := media.get(str(story.id))) is not None:
                apply(story, story_media)
            url = found.photos.get(story._source_image_key or "")
            story.source_image = SourceImage(url=url) if url else None


def apply(story: Story, found: StoryMedia) -> None:
    story.images = [StoryImage(index=image.index, url=image.url, caption=image.caption, kind=image.kind) for image in found.images]
    story.audio = StoryAudio(url=found.audio.url, duration_s=found.audio.duration_s) if found.audio else None


class SourcePhotos:
    def __init__(self, media: MediaClient) -> None:
        self.media = media

    def keeper(self, identity: Identity) -> PhotoKeeper:
        """What `save_story` calls before it inserts a photo story, on behalf of `identity`."""

        async def keep(story_id: str, object_key: str) -> None:
            await self.keep(story_id, object_key, identity=identity)

        return keep

    async def keep(self, story_id: str, object_key: str, *, identity: Identity) -> None:
        """The photo becomes the story's at media-service (kept, and deleted with the story); 503 if it cannot say so."""
        try:
            result = await self.media.attach_photo(story_id, object_key, identity=identity)
        except (ApiError, httpx.HTTPError, ValidationError) as exc:
            logger.warning(
                "media-service could not keep a story's photo", extra={"fields": {"story_id": story_id, "error": repr(exc)[:200]}}
            )
            raise ApiError(503, "upstream_unavailable", "media-service could not keep the story's photo; try again") from exc
        if not result.attached:  # swept or deleted already: the story is saved, it just shows no photo
            logger.warning("a saved story's photo was gone at media-service", extra={"fields": {"story_id": story_id}})
