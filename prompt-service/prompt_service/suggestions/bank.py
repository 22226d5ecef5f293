"""The bank: five prompts composed from hand-written parts when the model's answer is missing or fails the checks.

A reader's prompts are numbered k = day × 5 + slot. Place, twist and pair of characters are k modulo 5, 4 and 56
(shifted per reader, scaled by a stride coprime to each size), so the tuple repeats only after lcm(5, 4, 56) = 280
numbers: the 35 prompts of any 7 consecutive days are distinct ideas, and the 5 of one day have 5 different places.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import date

from prompt_service.suggestions.bank_parts import CHARACTERS, GENRE_PARTS, NEUTRAL_PLACES, NEUTRAL_TWISTS, Pair
from storyscape_common.catalog import BUILT_IN_GENRES

SUGGESTION_COUNT = 5
TEMPLATES_EN = (
    "A story about {a} and {b}, set in {place}, where {twist}.",
    "In {place}, {a} and {b} find out what happens when {twist}.",
    "{a} and {b} in {place}: {twist}.",
)
TEMPLATES_HI = (
    "{a} और {b} की कहानी, जो {place} में घटती है, जहाँ {twist}।",
    "{place} में {a} और {b} की एक कहानी, जिसमें {twist}।",
    "{a} और {b} की कहानी: {place} में {twist}।",
)
CUSTOM_EN = (
    "A story about {genre}: {a} and {b} in {place}, where {twist}.",
    "A story about {genre}: {a} and {b} in {place}.",
    "A story about {genre} with {a} and {b}.",
)
CUSTOM_HI = (
    "“{genre}” पर {a} और {b} की कहानी: {place} में {twist}।",
    "“{genre}” पर {a} और {b} की कहानी, {place} में।",
    "“{genre}” पर {a} और {b} की कहानी।",
)
MAX_WORDS = 30
STRIDES = (1, 3, 13, 17, 19)


@dataclass(frozen=True)
class Theme:
    """A genre as the bank uses it: a built-in id, or a reader's own genre by name."""

    key: str
    custom: bool


def pick(k: int, *, offset: int, sizes: tuple[int, ...]) -> list[int]:
    """One digit per size: (k + offset) times a stride coprime to the size, modulo the size."""
    digits = []
    for position, size in enumerate(sizes):
        stride = next(s for s in STRIDES[position:] + STRIDES if math.gcd(s, size) == 1)
        digits.append(((k + offset) * stride) % size)
    return digits


def capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def compose(theme: Theme, *, language: str, age_group: str, k: int, offset: int) -> str:
    people = CHARACTERS[age_group]
    places, twists = (NEUTRAL_PLACES, NEUTRAL_TWISTS) if theme.custom else GENRE_PARTS[theme.key]
    pairs = len(people) * (len(people) - 1)
    place_i, twist_i, pair_i = pick(k, offset=offset, sizes=(len(places), len(twists), pairs))
    first, second = divmod(pair_i, len(people) - 1)
    second += second >= first
    hindi = language == "hi"

    def part(pair: Pair) -> str:
        return pair[1] if hindi else pair[0]

    words = {"a": part(people[first]), "b": part(people[second]), "place": part(places[place_i]), "twist": part(twists[twist_i])}
    forms: tuple[str, ...]
    if theme.custom:
        forms = CUSTOM_HI if hindi else CUSTOM_EN
        words["genre"] = theme.key
    else:
        templates = TEMPLATES_HI if hindi else TEMPLATES_EN
        forms = (templates[k % 3], templates[2])
    # Long parts together may pass the word limit; a shorter form keeps the idea (the last always fits).
    texts = [form.format(**words) for form in forms]
    return capitalise(next((text for text in texts if len(text.split()) <= MAX_WORDS), texts[-1]))


def themes_for(genres: list[str], custom_names: dict[str, str]) -> list[Theme]:
    """The reader's genres in order; none chosen → every built-in genre."""
    themes = [Theme(custom_names[g], custom=True) if g in custom_names else Theme(g, custom=False) for g in genres]
    themes = [t for t in themes if t.custom or t.key in GENRE_PARTS]
    return themes or [Theme(genre.id, custom=False) for genre in BUILT_IN_GENRES]


def bank_prompts(*, user_id: str, day: date, language: str, age_group: str, themes: list[Theme]) -> list[str]:
    """Five distinct prompts for this reader and day, rotating through their genres."""
    offset = int.from_bytes(hashlib.sha256(user_id.encode()).digest()[:8], "big")
    base = day.toordinal() * SUGGESTION_COUNT
    prompts: list[str] = []
    for slot in range(SUGGESTION_COUNT):
        theme = themes[(day.toordinal() + slot) % len(themes)]
        prompts.append(compose(theme, language=language, age_group=age_group, k=base + slot, offset=offset))
    return prompts
