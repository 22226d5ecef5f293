"""The product's fixed vocabulary: languages, age groups and built-in genres (English and Hindi labels)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Language = Literal["en", "hi"]
AgeGroup = Literal["3-5", "6-8", "9-12", "13-17"]

LANGUAGES: dict[str, dict[str, str]] = {
    "en": {"en": "English", "hi": "अंग्रेज़ी"},
    "hi": {"en": "Hindi", "hi": "हिन्दी"},
}
AGE_GROUPS: tuple[str, ...] = ("3-5", "6-8", "9-12", "13-17")


@dataclass(frozen=True)
class Genre:
    id: str
    label_en: str
    label_hi: str


BUILT_IN_GENRES: tuple[Genre, ...] = (
    Genre("adventure", "Adventure", "रोमांच"),
    Genre("animals", "Animals", "जानवर"),
    Genre("bedtime", "Bedtime", "सोने से पहले"),
    Genre("fairy_tale", "Fairy tale", "परी कथा"),
    Genre("friendship", "Friendship", "दोस्ती"),
    Genre("funny", "Funny", "मज़ेदार"),
    Genre("moral", "Moral", "नैतिक कहानी"),
    Genre("mystery", "Mystery", "रहस्य"),
    Genre("nature", "Nature", "प्रकृति"),
    Genre("science", "Science", "विज्ञान"),
)
GENRES_BY_ID: dict[str, Genre] = {genre.id: genre for genre in BUILT_IN_GENRES}


def genre_label(genre: str, language: str) -> str:
    """The built-in label in `language`, or the custom genre's own name."""
    known = GENRES_BY_ID.get(genre)
    if known is None:
        return genre
    return known.label_hi if language == "hi" else known.label_en
