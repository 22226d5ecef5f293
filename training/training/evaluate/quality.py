"""What a reader notices beyond word validity: loops, whether the story is about what was asked, and what the
tokenizer costs on Devanagari."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from statistics import fmean
from typing import Any

from training.dataset.text_units import words

DEVANAGARI_CHAR = re.compile(r"[\u0900-\u097f]")
# Function words that say nothing about what a story is about (Hindi postpositions, pronouns, auxiliaries; English).
STOPWORDS = frozenset(
    "का की के को में से पर ने और या एक है हैं था थी थे हो जो वह वे यह ये कि तो भी नहीं ही तक लिए साथ "
    "अपना अपनी अपने उस उसके उसकी इस इसके जब तब कैसे क्यों क्या कौन कहानी "
    "a an the of to in on and or is are was were who how why what story with for at by from his her their".split()
)
MIN_STEM = 2


def repeated_ngram_share(text: str, n: int = 8) -> float:
    """Share of the text's words covered by word n-grams that occur more than once (a loop scores near 1)."""
    tokens = words(text)
    if len(tokens) < n:
        return 0.0
    grams = [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]
    counts = Counter(grams)
    covered = [False] * len(tokens)
    for i, gram in enumerate(grams):
        if counts[gram] > 1:
            covered[i : i + n] = [True] * n
    return sum(covered) / len(tokens)


def repetition(texts: Sequence[str], n: int = 8) -> dict[str, float]:
    """Mean and worst repeated-n-gram share over the texts (the worst one tells whether any got stuck)."""
    shares = [repeated_ngram_share(text, n) for text in texts] or [0.0]
    return {f"repeat{n}_mean": fmean(shares), f"repeat{n}_max": max(shares)}


def key_words(prompt: str) -> list[str]:
    """The prompt's content words (stopwords and one-letter words dropped), in order, without repeats."""
    return list(dict.fromkeys(word for word in words(prompt) if word not in STOPWORDS and len(word) > 1))


def stem(word: str) -> str:
    """The word less its last letter or vowel sign when long enough: लड़का and लड़के share लड़क."""
    return word[:-1] if len(word) > MIN_STEM + 1 else word


def story_body(text: str) -> str:
    """The generation without its first line when it has more than one: the answer starts by repeating the title."""
    head, sep, rest = text.strip().partition("\n")
    return rest if sep and rest.strip() else head


def prompt_adherence(prompt: str, text: str) -> float:
    """Share of the prompt's key words whose stem appears in the story body (1.0 for a prompt with none)."""
    keys = key_words(prompt)
    if not keys:
        return 1.0
    body = story_body(text).casefold()
    return sum(stem(word) in body for word in keys) / len(keys)


def mean_prompt_adherence(prompts: Sequence[str], texts: Sequence[str]) -> float:
    pairs = list(zip(prompts, texts, strict=True))
    return fmean(prompt_adherence(prompt, text) for prompt, text in pairs) if pairs else 0.0


def tokens_per_devanagari_char(tokenizer: Any, texts: Sequence[str]) -> float:
    """Tokens the tokenizer spends per Devanagari character of the texts (lower is cheaper)."""
    tokens = sum(len(tokenizer(text, add_special_tokens=False)["input_ids"]) for text in texts)
    chars = sum(len(DEVANAGARI_CHAR.findall(text)) for text in texts)
    return tokens / chars if chars else 0.0
