"""Request and event schemas of story-service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.settings import ResolvedSettings
from storyscape_common.contracts.stories import Mode, StoryOptions

__all__ = ["ResolvedStoryRequest", "StoryOptions", "StoryStarted"]


class ResolvedStoryRequest(BaseModel):
    """A story request with every choice made (the reader's, else their settings', else the defaults)."""

    prompt: str
    language: Language
    age_group: AgeGroup
    genres: list[str] = Field(default_factory=list)
    ai_images: bool = True
    # Image & Prompt mode: what media-service understood from the photo and where it stored it.
    image_description: str | None = None
    source_image_key: str | None = None
    source_image_url: str | None = None

    @property
    def mode(self) -> Mode:
        return "prompt" if self.image_description is None else "image_prompt"

    @classmethod
    def resolve(cls, options: StoryOptions, settings: ResolvedSettings, *, genres: list[str] | None) -> ResolvedStoryRequest:
        """The reader's choice where they made one, else their settings. `genres` are the request's genres as the
        story names them (built-in ids, custom genres by name), None when the request left them out."""
        return cls(
            prompt=options.prompt,
            language=options.language or settings.language,
            age_group=options.age_group or settings.age_group,
            genres=settings.genre_names if genres is None else genres,
            ai_images=settings.ai_images if options.ai_images is None else options.ai_images,
        )


class StoryStarted(BaseModel):
    """`story.started`: the story's id, its language and mode, and the model writing it."""

    story_id: str
    language: Language
    mode: Mode
    model: str
