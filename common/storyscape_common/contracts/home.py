"""The app's home screen: what history-service contributes, and the gateway's whole answer."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.settings import UserSettings
from storyscape_common.contracts.stories import Mode, Story
from storyscape_common.contracts.suggestions import SuggestionSet

RECENT_STORIES = 5


class StorySummary(BaseModel):
    """A story in a list: everything but its text and media."""

    id: str
    title: str
    language: Language
    age_group: AgeGroup
    genres: list[str]
    mode: Mode
    prompt: str
    favorite: bool
    created_at: datetime

    @classmethod
    def of(cls, story: Story) -> StorySummary:
        return cls.model_validate(story.model_dump(include=set(cls.model_fields)))


class HistoryHome(BaseModel):
    """history-service's part of the home screen (`GET /internal/home`)."""

    recent_stories: list[StorySummary] = Field(description=f"The {RECENT_STORIES} newest stories, newest first")
    favorites_count: int = Field(ge=0)


class Home(BaseModel):
    """`GET /v1/home`: a part whose service is down or slow is null and named in `unavailable`."""

    settings: UserSettings | None
    suggestions: SuggestionSet | None
    recent_stories: list[StorySummary] | None
    favorites_count: int | None
    partial: bool
    unavailable: list[str] = Field(description="Parts not fetched in time: settings, suggestions, recent_stories, favorites_count")
