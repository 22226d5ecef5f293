"""Response bodies of prompt-service."""

from __future__ import annotations

from pydantic import BaseModel, Field

from storyscape_common.catalog import AgeGroup, Language


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
