"""After `story.completed`: ask media-service for the story's two pictures and stream each as `story.image`.

The story is already durable when this runs, so nothing here may turn it into an error: any media-service
failure is logged and the stream simply ends. Pictures that miss the deadline are still attached by
media-service and appear on the next read of the story.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
from pydantic import ValidationError

from story_service.schemas import ResolvedStoryRequest
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.media import IllustrationsCreate, MediaJob, StoryText
from storyscape_common.contracts.stories import Story
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.sse import encode_event

logger = logging.getLogger("story_service.illustrations")
MEDIA_ERRORS = (ApiError, httpx.HTTPError, ValidationError, ValueError)


def image_event(job: MediaJob) -> bytes | None:
    """The `story.image` frame of a finished picture job, or None while it has no picture."""
    if job.kind != "illustration" or job.image is None:
        return None
    data = {"story_id": job.story_id, "index": job.image.index, "url": job.image.url, "caption": job.image.caption}
    return encode_event("story.image", data)


async def illustration_frames(
    media: MediaClient | None, story: Story, request: ResolvedStoryRequest, *, identity: Identity, deadline_s: float
) -> AsyncIterator[bytes]:
    """Register the story, ask for its pictures, then yield one `story.image` per picture as it is ready."""
    if media is None or deadline_s <= 0:
        return
    story_id = str(story.id)
    text = StoryText(title=story.title[:200], text=story.text, language=story.language, genres=story.genres[:10])
    sent: set[int] = set()
    try:
        await media.register_story(story_id, text, identity=identity)
        await media.request_illustrations(story_id, IllustrationsCreate(ai_images=request.ai_images), identity=identity)
        async for job in media.job_updates(story_id, identity=identity, timeout_s=deadline_s):
            frame = image_event(job)
            if frame is not None and job.index not in sent:
                sent.add(job.index)
                yield frame
    except MEDIA_ERRORS as exc:
        fields = {"story_id": story_id, "error": type(exc).__name__, "images_sent": len(sent)}
        logger.warning("illustrations unavailable; the story stands without them", extra={"fields": fields})
