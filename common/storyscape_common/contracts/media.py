"""media-service's API models: story registration, media jobs and their events, narration status.

Shared by media-service and its callers (story-service, history-service, the gateway's clients) so both sides
agree on one shape.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

JobKind = Literal["illustration", "narration"]
JobState = Literal["pending", "running", "succeeded", "failed"]
ImageKind = Literal["ai", "neutral"]
Language = Literal["en", "hi"]
STORY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,63}$"
MAX_SLOTS = 4


class StoryText(BaseModel):
    """What media-service needs to know about a story to illustrate and narrate it (`PUT /internal/stories/{id}`)."""

    title: str = Field(max_length=200)
    text: str = Field(min_length=1, max_length=50_000)
    language: Language
    genres: list[str] = Field(default_factory=list, max_length=10)


class StoryRegistered(StoryText):
    story_id: str
    created: bool = Field(description="False when the story was already registered (unchanged)")


class IllustrationSlot(BaseModel):
    """One picture: index 0 is the cover. Prompt and caption default to ones derived from the story."""

    index: int = Field(ge=0, lt=MAX_SLOTS)
    prompt: str | None = Field(default=None, max_length=1000)
    caption: str | None = Field(default=None, max_length=300, description="In the story's language")


class IllustrationsCreate(BaseModel):
    """`POST /internal/stories/{id}/illustrations`: AI pictures, or neutral ones (no generative model)."""

    ai_images: bool
    slots: list[IllustrationSlot] = Field(
        default_factory=lambda: [IllustrationSlot(index=0), IllustrationSlot(index=1)], min_length=1, max_length=MAX_SLOTS
    )


class MediaImage(BaseModel):
    index: int
    url: str = Field(description="Signed or presigned; expires")
    caption: str
    kind: ImageKind


class MediaAudio(BaseModel):
    url: str = Field(description="Signed or presigned; expires")
    duration_s: float


class MediaJob(BaseModel):
    """A job's state; `image` or `audio` is set once it succeeded (with a freshly signed URL)."""

    id: str
    story_id: str
    kind: JobKind
    index: int
    state: JobState
    attempts: int
    error: str | None = None
    image: MediaImage | None = None
    audio: MediaAudio | None = None
    created_at: datetime
    updated_at: datetime

    @property
    def finished(self) -> bool:
        return self.state in ("succeeded", "failed")


class JobList(BaseModel):
    jobs: list[MediaJob]


class StoryMedia(BaseModel):
    """Everything a Story read needs from media-service, with fresh URLs (`GET /internal/stories/{id}/media`)."""

    story_id: str
    images: list[MediaImage]
    audio: MediaAudio | None
    pending: bool = Field(description="Some job of this story has not finished yet")


MAX_MEDIA_READ = 100  # history's largest page


class MediaRead(BaseModel):
    """`POST /internal/media/read`: what a page of Story reads needs from media-service, asked in one call."""

    story_ids: list[str] = Field(min_length=1, max_length=MAX_MEDIA_READ)
    photo_keys: list[str] = Field(default_factory=list, max_length=MAX_MEDIA_READ, description="Source photos' `object_key`s")


class MediaPage(BaseModel):
    """The answer to a `MediaRead`, every URL signed now."""

    stories: list[StoryMedia] = Field(description="One per distinct requested story id, in the order asked")
    photos: dict[str, str] = Field(description="Photo key → URL, for the caller's own stored photos; other keys are left out")


class AudioStatus(BaseModel):
    """`POST|GET /v1/stories/{id}/audio`."""

    status: Literal["pending", "ready", "failed"]
    url: str | None = None
    duration_s: float | None = None


class StoryIds(BaseModel):
    story_ids: list[str] = Field(min_length=1, max_length=500)


class MediaDeleted(BaseModel):
    stories: int = Field(description="Stories whose media was removed")
    objects: int = Field(description="Objects deleted from the store")


# Events of `GET /internal/stories/{id}/events` (SSE): `job` (data: MediaJob) whenever a job changes,
# then `idle` (data: JobList) once every job has finished, or `timeout` (data: JobList) at the deadline.
JOB_EVENT = "job"
IDLE_EVENT = "idle"
TIMEOUT_EVENT = "timeout"


class PhotoUploaded(BaseModel):
    """`POST /internal/uploads`: a checked, cleaned photo stored for the user, and what the vision step saw in it."""

    object_key: str = Field(description="Where the cleaned photo (no metadata) is stored, under the user's prefix")
    url: str = Field(description="Signed or presigned; expires")
    content_type: str
    width: int
    height: int
    description: str = Field(description="In the requested language; says so honestly when nothing was recognised")
    recognised: bool
    provider: str


class PhotoUrl(BaseModel):
    """`GET /internal/uploads/url?key=`: a stored photo's URL, signed now."""

    url: str = Field(description="Signed or presigned; expires")


class PhotoAttach(BaseModel):
    """`PUT /internal/stories/{id}/photo`: the upload a saved story was written from."""

    object_key: str = Field(min_length=1, max_length=500, description="`object_key` from the upload")


class PhotoAttached(BaseModel):
    """Whether the upload is now the story's photo (kept, and deleted with the story)."""

    story_id: str
    object_key: str
    attached: bool = Field(
        description="False when the caller's user has no such upload any more (swept, deleted) or it belongs to another story"
    )
