"""Request and event schemas of story-service."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from storyscape_common.catalog import AgeGroup, Language

MAX_PROMPT_CHARS = 2000
MAX_GENRES = 5


class StoryRequest(BaseModel):
    """What the client asks for (Prompt-only mode)."""

    prompt: str = Field(description="The story idea, 1..2000 characters after trimming")
    language: Language = "en"
    age_group: AgeGroup = "6-8"
    genres: list[str] = Field(default_factory=list, max_length=MAX_GENRES)

    @field_validator("prompt")
    @classmethod
    def _prompt_length(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= MAX_PROMPT_CHARS:
            raise ValueError(f"prompt must be 1..{MAX_PROMPT_CHARS} characters")
        return value

    @field_validator("genres")
    @classmethod
    def _genre_names(cls, value: list[str]) -> list[str]:
        cleaned = [g.strip() for g in value]
        if any(not 1 <= len(g) <= 40 for g in cleaned):
            raise ValueError("each genre must be 1..40 characters")
        return list(dict.fromkeys(cleaned))


class StoryStarted(BaseModel):
    story_id: str
    language: Language
    mode: Literal["prompt", "image_prompt"]
    model: str
