"""Request and response bodies of history-service."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from storyscape_common.catalog import AgeGroup, Language

Mode = Literal["prompt", "image_prompt"]
GroupKey = str  # "today" | "yesterday" | "last_7_days" | "last_30_days" | "YYYY-MM" | "YYYY"

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 50_000
# Image & Prompt mode stores the prompt merged with the image description, so it may exceed the 2000 typed.
MAX_PROMPT_CHARS = 4_000
MAX_GENRES = 10
MAX_GENRE_CHARS = 40


def _trimmed(value: str, *, name: str, limit: int) -> str:
    value = value.strip()
    if not 1 <= len(value) <= limit:
        raise ValueError(f"{name} must be 1..{limit} characters")
    return value


class StoryCreate(BaseModel):
    """A finished story, as story-service hands it over (idempotent on `id`)."""

    id: uuid.UUID = Field(description="Chosen by story-service; saving the same id again returns the saved story")
    title: str
    text: str
    language: Language
    age_group: AgeGroup
    genres: list[str] = Field(default_factory=list, max_length=MAX_GENRES)
    mode: Mode = "prompt"
    prompt: str
    model: str = Field(min_length=1, max_length=100)
    created_at: AwareDatetime | None = Field(
        default=None, description="When the story was written (defaults to now); must not be in the future"
    )

    @field_validator("title")
    @classmethod
    def _title(cls, value: str) -> str:
        return _trimmed(value, name="title", limit=MAX_TITLE_CHARS)

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return _trimmed(value, name="text", limit=MAX_TEXT_CHARS)

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        return _trimmed(value, name="prompt", limit=MAX_PROMPT_CHARS)

    @field_validator("genres")
    @classmethod
    def _genres(cls, value: list[str]) -> list[str]:
        cleaned = [_trimmed(g, name="each genre", limit=MAX_GENRE_CHARS) for g in value]
        return list(dict.fromkeys(cleaned))


class StoryImage(BaseModel):
    index: int
    url: str
    caption: str


class StoryAudio(BaseModel):
    url: str


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
    favorite: bool
    created_at: datetime
    model: str


class StoryGroup(BaseModel):
    key: GroupKey = Field(description='"today", "yesterday", "last_7_days", "last_30_days", "YYYY-MM" or "YYYY"')
    label: str = Field(description="English label; clients may localise by key")
    stories: list[Story]


class StoryPage(BaseModel):
    """One page of a user's stories, newest first, grouped in the user's time zone."""

    groups: list[StoryGroup]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
