"""Image & Prompt mode: a story request may arrive as `multipart/form-data` with the JSON fields plus `image`.

The photo's bytes go to media-service unread (it checks them by content, moderates, strips metadata, stores
and describes them); the description is merged with the child's prompt by `image_story_messages`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from story_service.schemas import ResolvedStoryRequest, StoryOptions
from storyscape_common.clients.media import MediaClient
from storyscape_common.contracts.stories import SourceImage, Story
from storyscape_common.errors import ApiError
from storyscape_common.internal_auth import Identity
from storyscape_common.story_prompts import story_messages
from storyscape_common.story_prompts_image import image_story_messages

MAX_PHOTO_BYTES = 10 * 1024 * 1024  # the gateway's multipart limit; media-service checks it again
MULTIPART = "multipart/form-data"


@dataclass
class StoryInput:
    """What the reader sent: the options and, in Image & Prompt mode, the photo's bytes."""

    options: StoryOptions
    photo: bytes | None = None


def _options(data: dict[str, Any]) -> StoryOptions:
    try:
        return StoryOptions.model_validate(data)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_url=False)) from None


def _form_fields(form: FormData) -> dict[str, Any]:
    """The form's text fields as StoryOptions fields; genres repeat (`genres=a&genres=b`) or are one JSON list."""
    data: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("genres", "image")}
    genres = [g for g in form.getlist("genres") if isinstance(g, str)]
    if len(genres) == 1 and genres[0].lstrip().startswith("["):
        try:
            data["genres"] = json.loads(genres[0])
        except ValueError:
            raise ApiError(422, "invalid_request", "genres must be repeated fields or one JSON list") from None
    elif genres:
        data["genres"] = genres
    return data


async def _photo(form: FormData) -> bytes:
    image = form.get("image")
    if not isinstance(image, UploadFile):
        raise ApiError(422, "invalid_request", "image: a multipart request needs a photo in the `image` field")
    data = await image.read(MAX_PHOTO_BYTES + 1)
    if len(data) > MAX_PHOTO_BYTES:
        raise ApiError(413, "payload_too_large", "the photo is too large (over 10 MiB)")
    return data


async def story_input(request: Request) -> StoryInput:
    """The body as JSON, or as multipart with a photo (Image & Prompt mode)."""
    if request.headers.get("content-type", "").lower().startswith(MULTIPART):
        async with request.form(max_files=1, max_fields=20) as form:
            return StoryInput(_options(_form_fields(form)), await _photo(form))
    try:
        body = await request.json()
    except ValueError:
        raise ApiError(422, "invalid_request", "the body must be JSON or multipart/form-data") from None
    if not isinstance(body, dict):
        raise ApiError(422, "invalid_request", "the body must be a JSON object")
    return StoryInput(_options(body))


StoryInputDep = Annotated[StoryInput, Depends(story_input)]


def media_client(request: Request) -> MediaClient:
    value: MediaClient = request.app.state.media
    return value


MediaDep = Annotated[MediaClient, Depends(media_client)]


async def with_photo(request: ResolvedStoryRequest, photo: bytes, media: MediaClient, identity: Identity) -> ResolvedStoryRequest:
    """The request with what media-service understood from the photo (its refusals pass through as they are)."""
    uploaded = await media.upload_photo(photo, language=request.language, identity=identity)
    return request.model_copy(
        update={
            "image_description": uploaded.description,
            "source_image_key": uploaded.object_key,
            "source_image_url": uploaded.url,
        }
    )


def messages_for(request: ResolvedStoryRequest) -> list[dict[str, str]]:
    """The chat messages: the photo's description merged with the prompt in Image & Prompt mode."""
    r = request
    if r.image_description is None:
        return story_messages(language=r.language, age_group=r.age_group, genres=r.genres, prompt=r.prompt)
    return image_story_messages(
        language=r.language, age_group=r.age_group, genres=r.genres, prompt=r.prompt, description=r.image_description
    )


def with_source_image(story: Story, request: ResolvedStoryRequest) -> Story:
    """The completed Story shows the photo it was written from (the URL media-service signed for this request)."""
    if request.source_image_url is None or story.source_image is not None:
        return story
    return story.model_copy(update={"source_image": SourceImage(url=request.source_image_url)})
