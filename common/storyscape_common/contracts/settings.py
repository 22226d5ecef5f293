"""A reader's settings: what prompt-service stores and story-service, history-service and the gateway read."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, Field, field_validator

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.text_fields import MAX_GENRES

DEFAULT_TIMEZONE = "Asia/Kolkata"


def iana_zone(value: str) -> str:
    """An IANA time zone name such as Asia/Kolkata (ValueError otherwise)."""
    value = value.strip()
    try:
        if not value or len(value) > 64 or value.startswith("/") or ".." in value:
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError("must be an IANA time zone such as Asia/Kolkata") from None
    return value


class UserSettings(BaseModel):
    """What shapes a reader's stories and suggestions; a new reader gets these defaults."""

    language: Language = "en"
    age_group: AgeGroup = "6-8"
    genres: list[str] = Field(default_factory=list, max_length=MAX_GENRES, description="Built-in genre ids or custom genre ids")
    ai_images: bool = Field(default=True, description="Illustrate stories with an image model; off: neutral images")
    recommendations_enabled: bool = Field(default=True, description="Show daily prompt suggestions")
    timezone: str = Field(default=DEFAULT_TIMEZONE, description="IANA time zone for days (history groups, daily suggestions)")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        return iana_zone(value)


class ResolvedSettings(UserSettings):
    """Settings with each genre as the words a prompt uses: built-in ids as they are, custom genres by name."""

    genre_names: list[str] = Field(default_factory=list)


class CustomGenreNames(BaseModel):
    """A reader's own genres by id, as a story prompt names them (each name was moderated when it was set)."""

    names: dict[str, str] = Field(default_factory=dict, description="custom genre id → its name")
