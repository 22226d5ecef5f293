"""Validation rules for user-supplied text, shared by every service that accepts it."""

from __future__ import annotations

import unicodedata

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 50_000
MAX_USER_PROMPT_CHARS = 2_000
# Image & Prompt mode stores the prompt merged with the image description, so it may exceed the 2000 typed.
MAX_STORED_PROMPT_CHARS = 4_000
MAX_GENRES = 10
MAX_GENRE_CHARS = 40


def trimmed(value: str, *, name: str, limit: int) -> str:
    """`value` NFC-normalised and stripped, or ValueError naming `name` when empty or longer than `limit`."""
    value = unicodedata.normalize("NFC", value).strip()
    if not 1 <= len(value) <= limit:
        raise ValueError(f"{name} must be 1..{limit} characters")
    return value


def genre_names(values: list[str]) -> list[str]:
    """Each genre trimmed (1..40 characters), duplicates dropped, order kept."""
    cleaned = [trimmed(value, name="each genre", limit=MAX_GENRE_CHARS) for value in values]
    return list(dict.fromkeys(cleaned))
