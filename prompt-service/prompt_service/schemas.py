"""Request and response bodies of prompt-service."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator, model_validator

from storyscape_common.catalog import AgeGroup, Language
from storyscape_common.contracts.settings import CustomGenreNames, ResolvedSettings, UserSettings, iana_zone
from storyscape_common.contracts.suggestions import SuggestionSet
from storyscape_common.contracts.text_fields import MAX_GENRE_CHARS, MAX_GENRES, MAX_USER_PROMPT_CHARS, trimmed

__all__ = ["CustomGenreNames", "ResolvedSettings", "SuggestionSet", "UserSettings"]


class Labels(BaseModel):
    """How an entry is shown in each app language."""

    en: str = Field(description="English label")
    hi: str = Field(description="Hindi label (Devanagari)")


class LanguageEntry(BaseModel):
    id: Language
    labels: Labels


class AgeGroupEntry(BaseModel):
    id: AgeGroup
    labels: Labels


class GenreEntry(BaseModel):
    id: str = Field(description="Stable id to send back in `genres`")
    labels: Labels


class Catalog(BaseModel):
    """The product's fixed vocabulary, in display order."""

    languages: list[LanguageEntry]
    age_groups: list[AgeGroupEntry]
    genres: list[GenreEntry] = Field(description="Built-in genres; a user's custom genres are listed separately")


class SettingsUpdate(BaseModel):
    """`PUT /v1/me/settings`: the fields to set; a field left out keeps its current value."""

    model_config = ConfigDict(extra="forbid")

    language: Language | None = None
    age_group: AgeGroup | None = None
    genres: list[str] | None = Field(default=None, max_length=MAX_GENRES, description="Built-in genre ids or your custom genre ids")
    ai_images: StrictBool | None = None
    recommendations_enabled: StrictBool | None = None
    timezone: str | None = Field(default=None, description="IANA time zone, e.g. Asia/Kolkata")

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str | None) -> str | None:
        return None if value is None else iana_zone(value)

    @field_validator("genres")
    @classmethod
    def _genres(cls, value: list[str] | None) -> list[str] | None:
        return None if value is None else list(dict.fromkeys(g.strip() for g in value))


class GenreCreate(BaseModel):
    """A reader's own genre: a name in any script, and optionally its label in the other app language."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="1..40 characters after trimming")
    label: str | None = Field(default=None, description="The name in the other language, 1..40 characters")

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        return trimmed(value, name="name", limit=MAX_GENRE_CHARS)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else trimmed(value, name="label", limit=MAX_GENRE_CHARS)


class GenreUpdate(BaseModel):
    """`PATCH /v1/genres/{id}`: a new name, a new label (null or "" removes it), or both; a field left out keeps its value."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, description="1..40 characters after trimming")
    label: str | None = Field(default=None, description='The name in the other language, 1..40 characters; null or "" removes it')

    @field_validator("name")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return None if value is None else trimmed(value, name="name", limit=MAX_GENRE_CHARS)

    @field_validator("label")
    @classmethod
    def _label(cls, value: str | None) -> str | None:
        return None if value is None or not value.strip() else trimmed(value, name="label", limit=MAX_GENRE_CHARS)

    @model_validator(mode="after")
    def _something(self) -> GenreUpdate:
        if not self.model_fields_set:
            raise ValueError("give a new name, a new label, or both")
        return self


class CustomGenre(BaseModel):
    id: str = Field(description="Send this id in settings `genres`")
    name: str
    label: str | None
    created_at: datetime


class GenreList(BaseModel):
    built_in: list[GenreEntry]
    custom: list[CustomGenre]


class SavedPromptCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str = Field(description=f"1..{MAX_USER_PROMPT_CHARS} characters after trimming")
    language: Language

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        return trimmed(value, name="text", limit=MAX_USER_PROMPT_CHARS)


class SavedPrompt(BaseModel):
    id: str
    text: str
    language: Language
    created_at: datetime
    already_saved: bool = Field(default=False, description="True when this text was saved before (one entry is kept)")


class SavedPromptPage(BaseModel):
    prompts: list[SavedPrompt]
    next_cursor: str | None


class Deleted(BaseModel):
    deleted: int
