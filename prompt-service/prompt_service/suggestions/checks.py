"""What a model's answer must pass before a reader sees it: five distinct prompts, right script, right length
(`valid_prompts`), and safe for children (`safe_for_children`)."""

from __future__ import annotations

import json
import re
import unicodedata

from prompt_service.suggestions.bank import MAX_WORDS, SUGGESTION_COUNT
from storyscape_safety import Moderator, record_block

MIN_WORDS = 4
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
LATIN = re.compile(r"[A-Za-z]")


async def safe_for_children(moderator: Moderator, prompts: list[str], *, language: str) -> bool:
    """The shared moderation (`SAFETY_*`: OpenAI when a key is set, else offline) on the whole set at once; a
    blocked set is counted in `storyscape_content_blocked_total{source="suggestions"}` and never shown."""
    verdict = await moderator.check_text("\n".join(prompts), language=language)
    if verdict.blocked:
        record_block(verdict, source="suggestions")
    return not verdict.blocked


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
    return all(MIN_WORDS <= len(prompt.split()) <= MAX_WORDS and in_script(prompt, language) for prompt in prompts)
