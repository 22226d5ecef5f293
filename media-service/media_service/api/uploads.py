"""`POST /internal/uploads`: a child's photo for an Image & Prompt story (story-service only).

Checked by content (`clean_upload`: 415/413/422), the photo moderated (422 `content_blocked`), described by the
vision provider in the story's language, the description moderated (422 `content_blocked` too), then recorded
against its owner (`media_uploads`) and stored per user without metadata. Nothing is stored unless every check
passed. An upload no saved story claims (`PUT /internal/stories/{id}/photo`) is swept after `upload_max_age_s`.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request

from media_service import repository
from media_service.api.deps import Now, ObjectStoreDep, ServiceIdentity, UrlExpiry
from media_service.service import signed_photo_url, user_prefix
from media_service.uploads import MAX_UPLOAD_BYTES, CleanImage, clean_upload, too_large
from media_service.vision.base import VisionProvider
from storyscape_common.contracts.errors import error_responses
from storyscape_common.contracts.media import PhotoUploaded, PhotoUrl
from storyscape_common.db import SessionDep
from storyscape_common.errors import ApiError
from storyscape_safety import Moderator, raise_if_blocked

router = APIRouter(prefix="/internal", tags=["internal"])
EXTENSIONS = {"jpeg": "jpg", "png": "png", "webp": "webp"}
PHOTO_BODY: dict[str, Any] = {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}


def photo_key(user_id: str, photo: CleanImage) -> str:
    """One object per upload, under the user's prefix: deleting one story's photo never takes another story's."""
    return f"{user_prefix(user_id)}/uploads/{uuid.uuid4().hex}.{EXTENSIONS[photo.format]}"


async def read_limited(request: Request, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """The body, refused with 413 as soon as it passes the limit (never buffered past it)."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(f"over {limit // (1024 * 1024)} MiB")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/uploads",
    status_code=201,
    summary="Check, clean, moderate, store and describe a photo (the raw image bytes are the body)",
    openapi_extra={"requestBody": PHOTO_BODY},
    responses=error_responses(403, 413, 415, 422),
)
async def upload_photo(
    request: Request,
    identity: ServiceIdentity,
    session: SessionDep,
    store: ObjectStoreDep,
    expires_in: UrlExpiry,
    now: Now,
    language: Annotated[Literal["en", "hi"], Query(description="Language of the description")] = "en",
) -> PhotoUploaded:
    photo = await asyncio.to_thread(clean_upload, await read_limited(request))
    moderator: Moderator = request.app.state.moderator
    raise_if_blocked(await moderator.check_image(photo.data), source="image", language=language)
    vision: VisionProvider = request.app.state.vision
    described = await vision.describe(photo.data, language=language)
    # The description goes into the model's prompt and is shown to the reader: it is checked like the photo,
    # before anything is stored, so a refused upload leaves no object behind.
    verdict = await moderator.check_text(described.text, language=language)
    raise_if_blocked(verdict, source="image_description", language=language)
    key = photo_key(identity.user_id, photo)
    # The row first: a crash before the object is stored leaves a row the sweeper clears, never an untracked object.
    repository.record_upload(session, object_key=key, user_id=identity.user_id, now=now)
    await session.commit()
    await store.put(key, photo.data, content_type=photo.content_type)
    return PhotoUploaded(
        object_key=key,
        url=await store.url(key, expires_in=expires_in),
        content_type=photo.content_type,
        width=photo.width,
        height=photo.height,
        description=described.text,
        recognised=described.recognised,
        provider=described.provider,
    )


@router.get(
    "/uploads/url",
    summary="A freshly signed URL for one of the user's stored photos (for Story reads)",
    responses=error_responses(403, 404),
)
async def photo_url(
    identity: ServiceIdentity,
    store: ObjectStoreDep,
    expires_in: UrlExpiry,
    key: Annotated[str, Query(max_length=500, description="`object_key` from the upload")],
) -> PhotoUrl:
    # Only keys under the caller's own prefix: another user's photo is "not found", never signed.
    url = await signed_photo_url(store, key, user_id=identity.user_id, expires_in=expires_in)
    if url is None:
        raise ApiError(404, "not_found", "photo not found")
    return PhotoUrl(url=url)
