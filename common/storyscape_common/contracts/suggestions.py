"""Daily prompt suggestions, as prompt-service serves them (to the app, and to the gateway's home screen)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from storyscape_common.catalog import Language


class SuggestionSet(BaseModel):
    """Today's suggested prompts for the reader's language, age group and genres."""

    prompts: list[str] = Field(description="5 prompts; empty when the reader turned suggestions off")
    date: str = Field(description="The reader's local date (YYYY-MM-DD) the set belongs to")
    language: Language
    source: Literal["model", "bank"] | None = Field(description="Where the set came from; null when suggestions are off")
    enabled: bool
