"""What a model's answer must pass before a reader sees it: five distinct prompts, right script, right length, safe."""

from __future__ import annotations

import json
import re
import unicodedata

from prompt_service.suggestions.bank import MAX_WORDS, SUGGESTION_COUNT

MIN_WORDS = 4
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
LATIN = re.compile(r"[A-Za-z]")
# A stop-gap list until the shared moderation package lands; see `unsafe_for_children`.
UNSAFE_WORDS = frozenset(
    {
        "kill", "killed", "killing", "murder", "blood", "bloody", "gun", "guns", "knife", "suicide", "drugs", "drunk",
        "sex", "sexy", "naked", "torture", "corpse", "bomb", "terrorist",
        "हत्या", "ख़ून", "खून", "बंदूक", "चाकू", "आत्महत्या", "नशा", "शराब", "लाश", "बम", "आतंकवादी",
    }
)  # fmt: skip


def unsafe_for_children(text: str, *, language: str) -> bool:
    """MODERATION HOOK: replace this word list with the shared moderation package's check when it is merged."""
    words = {word.strip(".,!?;:'\"“”‘’()।").casefold() for word in text.split()}
    return bool(words & UNSAFE_WORDS)


def in_script(text: str, language: str) -> bool:
    """Hindi: mostly Devanagari letters. English: mostly Latin letters."""
    devanagari, latin = len(DEVANAGARI.findall(text)), len(LATIN.findall(text))
    if language == "hi":
        return devanagari > 0 and devanagari >= 4 * latin
    return latin > 0 and latin >= 4 * devanagari


def parse_prompts(content: str) -> list[str] | None:
    """The model was asked for `{"prompts": [str, …]}`; a bare list is accepted too. None when it is neither."""
    try:
        value = json.loads(content)
    except (ValueError, TypeError):
        return None
    if isinstance(value, dict):
        value = value.get("prompts")
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        return None
    return [" ".join(unicodedata.normalize("NFC", item).split()) for item in value]


def valid_prompts(prompts: list[str] | None, *, language: str) -> bool:
    if prompts is None or len(prompts) != SUGGESTION_COUNT:
        return False
    if len({prompt.casefold() for prompt in prompts}) != SUGGESTION_COUNT:
        return False
    return all(
        MIN_WORDS <= len(prompt.split()) <= MAX_WORDS and in_script(prompt, language) and not unsafe_for_children(prompt, language=language)
        for prompt in prompts
    )
