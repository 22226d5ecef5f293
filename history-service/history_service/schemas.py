"""Request and response bodies of history-service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyscape_common.contracts.stories import Mode, Story, StoryAudio, StoryCreate, StoryImage

__all__ = ["Mode", "Story", "StoryAudio", "StoryCreate", "StoryGroup", "StoryImage", "StoryPage"]

GroupKey = str  # "today" | "yesterday" | "last_7_days" | "last_30_days" | "YYYY-MM" | "YYYY"


class StoryGroup(BaseModel):
    key: GroupKey = Field(description='"today", "yesterday", "last_7_days", "last_30_days", "YYYY-MM" or "YYYY"')
    label: str = Field(description="English label; clients may localise by key")
    stories: list[Story]


class StoryPage(BaseModel):
    """One page of a user's stories, newest first, grouped in the user's time zone."""

    groups: list[StoryGroup]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")
