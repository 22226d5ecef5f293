"""Request and event schemas of story-service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.stories import Mode, StoryOptions

__all__ = ["ResolvedStoryRequest", "StoryOptions", "StoryStarted"]

DEFAULT_LANGUAGE: Language = "en"
DEFAULT_AGE_GROUP: AgeGroup = "6-8"


class ResolvedStoryRequest(BaseModel):
    """A story request with every choice made (the reader's, else their settings', else the defaults)."""

    prompt: str
    language: Language
    age_group: AgeGroup
    genres: list[str] = Field(default_factory=list)
    ai_images: bool = True

    @classmethod
    def with_defaults(cls, options: StoryOptions) -> ResolvedStoryRequest:
        return cls(
            prompt=options.prompt,
            language=options.language or DEFAULT_LANGUAGE,
            age_group=options.age_group or DEFAULT_AGE_GROUP,
            genres=options.genres or [],
            ai_images=True if options.ai_images is None else options.ai_images,
        )


class StoryStarted(BaseModel):
    """`story.started`: the story's id, its language and mode, and the model writing it."""

    story_id: str
    language: Language
    mode: Mode
    model: str
