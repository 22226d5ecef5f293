"""The story contracts: what story-service hands history-service, and the Story every client reads."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, PrivateAttr, field_validator

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.text_fields import (
    MAX_GENRES,
    MAX_STORED_PROMPT_CHARS,
    MAX_TEXT_CHARS,
    MAX_TITLE_CHARS,
    MAX_USER_PROMPT_CHARS,
    genre_names,
    trimmed,
)

Mode = Literal["prompt", "image_prompt"]
ImageKind = Literal["ai", "neutral"]


class StoryImage(BaseModel):
    """One illustration of a story; `url` is signed or presigned and expires."""

    index: int = Field(ge=0, description="0 is the cover, 1 a scene")
    url: str
    caption: str
    kind: ImageKind = Field(default="neutral", description="`ai` when a generative model drew it, `neutral` otherwise")


class StoryAudio(BaseModel):
    """The narration of a story; `url` is signed or presigned and expires."""

    url: str
    duration_s: float | None = Field(default=None, ge=0)


class SourceImage(BaseModel):
    """The photo a story was written from (Image & Prompt mode), metadata removed."""

    url: str


class StoryCreate(BaseModel):
    """A finished story, as story-service hands it to history-service (idempotent on `id`)."""

    id: uuid.UUID = Field(description="Chosen by story-service; saving the same id again returns the saved story")
    title: str
    text: str
    language: Language
    age_group: AgeGroup
    genres: list[str] = Field(default_factory=list, max_length=MAX_GENRES)
    mode: Mode = "prompt"
    prompt: str
    model: str = Field(min_length=1, max_length=100)
    image_description: str | None = Field(default=None, max_length=2_000, description="What the vision step saw in the photo")
    source_image_key: str | None = Field(default=None, max_length=500, description="media-service object key of the photo")
    created_at: AwareDatetime | None = Field(
        default=None, description="When the story was written (defaults to now); must not be in the future"
    )

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return trimmed(value, name="title", limit=MAX_TITLE_CHARS)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return trimmed(value, name="text", limit=MAX_TEXT_CHARS)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        return trimmed(value, name="prompt", limit=MAX_STORED_PROMPT_CHARS)

    @field_validator("genres")
    @classmethod
    def _genres(cls, value: list[str]) -> list[str]:
        return genre_names(value)


class Story(BaseModel):
    """A saved story as clients see it."""

    id: str
    title: str
    text: str
    language: Language
    age_group: AgeGroup
    genres: list[str]
    mode: Mode
    prompt: str
    images: list[StoryImage] = Field(default_factory=list, description="Illustrations (served by media-service)")
    audio: StoryAudio | None = Field(default=None, description="Narration, once generated")
    source_image: SourceImage | None = Field(default=None, description="The photo of an Image & Prompt story")
    image_description: str | None = Field(default=None, description="What was understood from the photo")
    favorite: bool = False
    created_at: datetime
    model: str
    # Where the photo is stored (history-service keeps it to sign `source_image` afresh on every read); never sent.
    _source_image_key: str | None = PrivateAttr(default=None)


class StoryOptions(BaseModel):
    """What a reader may ask for when writing a story; a missing field comes from their settings."""

    prompt: str = Field(description=f"The story idea, 1..{MAX_USER_PROMPT_CHARS} characters after trimming")
    language: Language | None = None
    age_group: AgeGroup | None = None
    genres: list[str] | None = Field(
        default=None,
        max_length=MAX_GENRES,
        description="Built-in genre ids (see /v1/catalog) or your own custom genre ids (see /v1/genres); anything else is 422",
    )
    ai_images: bool | None = None

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        return trimmed(value, name="prompt", limit=MAX_USER_PROMPT_CHARS)

    @field_validator("genres")
    @classmethod
    def _genres(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else genre_names(value)
