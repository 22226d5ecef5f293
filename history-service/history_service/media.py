"""Pictures, narration and the source photo on every Story this service returns, read from media-service with
fresh URLs.

media-service is optional for reading: a page waits at most `timeout_s` for it, then the stories go out as
they are (no pictures, no audio) rather than making history wait on, or fail with, a media outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

import httpx
from pydantic import ValidationError

from history_service.schemas import Story
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import MAX_MEDIA_READ, StoryMedia
from storyscape_common.contracts.stories import SourceImage, StoryAudio, StoryImage
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity

logger = logging.getLogger("history_service.media")


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
