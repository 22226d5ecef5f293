"""Request and response bodies of history-service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyscape_common.contracts.stories import Mode, Story, StoryAudio, StoryCreate, StoryImage

__all__ = [
    "ClearResult",
    "FavoriteList",
    "Mode",
    "SearchPage",
    "Story",
    "StoryAudio",
    "StoryCreate",
    "StoryGroup",
    "StoryImage",
    "StoryPage",
]

MAX_QUERY_CHARS = 200

GroupKey = str  # "today" | "yesterday" | "last_7_days" | "last_30_days" | "YYYY-MM" | "YYYY"


class StoryGroup(BaseModel):
    key: GroupKey = Field(description='"today", "yesterday", "last_7_days", "last_30_days", "YYYY-MM" or "YYYY"')
    label: str = Field(description="English label; clients may localise by key")
    stories: list[Story]


class StoryPage(BaseModel):
    """One page of a user's stories, newest first, grouped in the user's time zone."""

    groups: list[StoryGroup]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class SearchPage(BaseModel):
    """Stories matching every word of the query, newest first."""

    stories: list[Story]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page")


class FavoriteList(BaseModel):
    """Every favorite story in full (what the app keeps for offline reading), newest first."""

    stories: list[Story]
    count: int


class ClearResult(BaseModel):
    deleted: int = Field(description="How many stories were removed")
    kept_favorites: bool = Field(description="True when favorites were kept (the default)")
