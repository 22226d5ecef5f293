"""What media-service does for a request: register stories, create jobs idempotently, present results with fresh URLs."""

from __future__ import annotations

import asyncio
import hashlib
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from media_service import repository
from media_service.models import JobRow, StoryRow
from media_service.narration.text import sentences
from media_service.storage import ObjectStore
from storyscape_common.contracts.media import (
    AudioStatus,
    IllustrationsCreate,
    IllustrationSlot,
    MediaAudio,
    MediaDeleted,
    MediaImage,
    MediaJob,
    MediaPage,
    MediaRead,
    PhotoAttached,
    StoryMedia,
    StoryRegistered,
    StoryText,
)
from storyscape_common.errors import ApiError

MAX_CAPTION = 140
DELETE_CONCURRENCY = 16  # store deletes in flight at once (an account may hold thousands of objects)


def story_not_found() -> ApiError:
    return ApiError(404, "not_found", "story not found (media-service knows only stories registered for this user)")


def user_prefix(user_id: str) -> str:
    """Objects are keyed per user; the uid is hashed so any uid makes a valid, non-revealing key segment."""
    return "users/" + hashlib.sha256(user_id.encode()).hexdigest()[:32]


def object_key(job: JobRow, extension: str) -> str:
    return f"{user_prefix(job.user_id)}/stories/{job.story_id}/{job.kind}-{job.slot}-{job.inputs_hash[:12]}.{extension}"


async def register_story(session: AsyncSession, *, user_id: str, story_id: str, story: StoryText, now: datetime) -> StoryRegistered:
    """Idempotent: the same id again returns the stored story; another user's id is a 409."""
    existing = await repository.get_story(session, story_id)
    created = False
    if existing is None:
        row = StoryRow(id=story_id, user_id=user_id, created_at=now, **story.model_dump())
        created = await repository.add_story(session, row)
        existing = row if created else await repository.get_story(session, story_id)
    if existing is None or existing.user_id != user_id:
        raise ApiError(409, "conflict", "this story id belongs to another user")
    stored = StoryText(title=existing.title, text=existing.text, language=existing.language, genres=existing.genres)  # type: ignore[arg-type]
    return StoryRegistered(story_id=story_id, created=created, **stored.model_dump())


async def owned_story(session: AsyncSession, *, user_id: str, story_id: str) -> StoryRow:
    story = await repository.get_story(session, story_id)
    if story is None or story.user_id != user_id:
        raise story_not_found()
    return story


def _clip(text: str) -> str:
    return text if len(text) <= MAX_CAPTION else text[: MAX_CAPTION - 1].rsplit(" ", 1)[0] + "…"


def default_slot(story: StoryRow, index: int) -> tuple[str, str]:
    """(prompt, caption) derived from the story: the cover shows the title, later slots later sentences."""
    parts = sentences(story.text) or [story.title]
    if index == 0:
        return f"{story.title}. {parts[0]}", story.title
    sentence = parts[min(len(parts) - 1, len(parts) * index // 3)]
    return sentence, _clip(sentence)


async def create_illustrations(
    session: AsyncSession, *, user_id: str, story_id: str, request: IllustrationsCreate, now: datetime
) -> list[JobRow]:
    story = await owned_story(session, user_id=user_id, story_id=story_id)
    jobs = []
    for slot in _unique_slots(request.slots):
        prompt, caption = default_slot(story, slot.index)
        inputs = {"index": slot.index, "ai": request.ai_images, "prompt": slot.prompt or prompt, "caption": slot.caption or caption}
        job, _ = await repository.create_job(
            session, user_id=user_id, story_id=story_id, kind="illustration", slot=slot.index, inputs=inputs, now=now
        )
        jobs.append(job)
    return jobs


def _unique_slots(slots: list[IllustrationSlot]) -> list[IllustrationSlot]:
    if len({slot.index for slot in slots}) != len(slots):
        raise ApiError(400, "invalid_request", "each slot index may appear once")
    return slots


async def create_narration(session: AsyncSession, *, user_id: str, story_id: str, now: datetime) -> JobRow:
    """One narration per story text and language: asking again returns the same job (and audio)."""
    story = await owned_story(session, user_id=user_id, story_id=story_id)
    text_digest = hashlib.sha256(story.text.encode()).hexdigest()
    inputs = {"language": story.language, "text_sha256": text_digest}
    job, _ = await repository.create_job(session, user_id=user_id, story_id=story_id, kind="narration", slot=0, inputs=inputs, now=now)
    return job


async def present(job: JobRow, store: ObjectStore, *, expires_in: int) -> MediaJob:
    """The job as callers see it; a finished job's URL is signed now, so it is always fresh."""
    image = audio = None
    if job.state == repository.SUCCEEDED and job.object_key and job.result:
        url = await store.url(job.object_key, expires_in=expires_in)
        if job.kind == "illustration":
            image = MediaImage(index=job.slot, url=url, caption=job.inputs["caption"], kind=job.result["image_kind"])
        else:
            audio = MediaAudio(url=url, duration_s=job.result["duration_s"])
    return MediaJob(
        id=job.id, story_id=job.story_id, kind=job.kind, index=job.slot, state=job.state, attempts=job.attempts,  # type: ignore[arg-type]
        error=job.error, image=image, audio=audio, created_at=job.created_at, updated_at=job.updated_at,
    )  # fmt: skip


async def story_media(jobs: list[MediaJob], story_id: str) -> StoryMedia:
    """Latest picture per slot and the latest narration, from jobs listed oldest first."""
    images: dict[int, MediaImage] = {}
    audio = None
    for job in jobs:
        if job.image is not None:
            images[job.image.index] = job.image
        if job.audio is not None:
            audio = job.audio
    pending = any(not job.finished for job in jobs)
    return StoryMedia(story_id=story_id, images=[images[i] for i in sorted(images)], audio=audio, pending=pending)


async def signed_photo_url(store: ObjectStore, key: str, *, user_id: str, expires_in: int) -> str | None:
    """A fresh URL for one of the user's stored photos; None for a key outside their prefix or not stored."""
    if not key.startswith(user_prefix(user_id) + "/uploads/") or not await store.exists(key):
        return None
    return await store.url(key, expires_in=expires_in)


async def media_page(session: AsyncSession, store: ObjectStore, read: MediaRead, *, user_id: str, expires_in: int) -> MediaPage:
    """A page of Story reads' media in one query (plus one existence check per photo, run together)."""
    found = await repository.stories_jobs(session, user_id=user_id, story_ids=read.story_ids)
    stories = [
        await story_media([await present(job, store, expires_in=expires_in) for job in jobs], story_id) for story_id, jobs in found.items()
    ]
    keys = list(dict.fromkeys(read.photo_keys))
    urls = await asyncio.gather(*(signed_photo_url(store, key, user_id=user_id, expires_in=expires_in) for key in keys))
    return MediaPage(stories=stories, photos={key: url for key, url in zip(keys, urls, strict=True) if url is not None})


def audio_status(job: MediaJob) -> AudioStatus:
    if job.audio is not None:
        return AudioStatus(status="ready", url=job.audio.url, duration_s=job.audio.duration_s)
    return AudioStatus(status="failed" if job.state == "failed" else "pending")


async def delete_objects(store: ObjectStore, keys: list[str]) -> None:
    """Before the rows go: if the store fails, the request fails and the caller retries; nothing is orphaned."""
    unique = list(dict.fromkeys(keys))
    for start in range(0, len(unique), DELETE_CONCURRENCY):
        await asyncio.gather(*(store.delete(key) for key in unique[start : start + DELETE_CONCURRENCY]))


async def delete_media(session: AsyncSession, store: ObjectStore, *, user_id: str, story_ids: list[str] | None) -> MediaDeleted:
    """The stories' pictures, narration and source photos (every story's when `story_ids` is None), objects and rows."""
    stories, keys = await repository.delete_stories(session, user_id=user_id, story_ids=story_ids)
    await delete_objects(store, keys)  # a store failure rolls the rows back: the caller retries
    return MediaDeleted(stories=stories, objects=len(keys))


async def delete_account(session: AsyncSession, store: ObjectStore, *, user_id: str) -> int:
    """Everything media-service holds of the user: every row, every object a row names, and anything else stored
    under their prefix (photos uploaded before uploads were recorded, a job's output whose row went first)."""
    keys = await repository.delete_user(session, user_id=user_id)
    keys += await store.keys(user_prefix(user_id) + "/")
    await delete_objects(store, keys)
    return len(set(keys))


async def attach_photo(session: AsyncSession, *, user_id: str, story_id: str, object_key: str, now: datetime) -> PhotoAttached:
    """The upload becomes the story's photo: kept by the sweeper, deleted with the story."""
    attached = await repository.attach_upload(session, user_id=user_id, object_key=object_key, story_id=story_id, now=now)
    return PhotoAttached(story_id=story_id, object_key=object_key, attached=attached)
