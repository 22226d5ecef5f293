"""Hindi word validity: the share of Devanagari words a Hindi spell checker accepts.

The checker is Debian's `hunspell-hi` dictionary read by spylls (a Python Hunspell; the `hunspell` CLI splits
words at vowel signs). That dictionary is a bare 16k-word list with no affix rules, so inflected forms of listed
words (लोहे from लोहा, दौड़कर from दौड़ना) are accepted through a short list of Hindi inflection endings, and a
corpus's own vocabulary may be added (never the held-out stories': their words would then pass by construction).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from training.dataset.text_units import words

DEFAULT_DICTIONARY = Path("/usr/share/hunspell/hi_IN")  # Debian/Ubuntu package hunspell-hi
DEVANAGARI = re.compile(r"[\u0900-\u097f]")
# Inflection endings of nouns, adjectives and verbs, longest first; each stem is retried with a lemma ending.
SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        {
            *("ियाँ", "ियां", "ियों", "ाओं", "ाएँ", "ाएं", "ओं", "ों", "ें", "ीं", "ाँ", "ां", "े", "ी", "ा", "ो", "ं", "ँ"),
            *("ते", "ती", "ता", "तीं", "कर", "के", "ने", "ना", "नी", "ए", "ई", "ओ", "या", "यी", "ये", "यीं", "इए", "िए"),
            *("ूँगा", "ूंगा", "ूँगी", "ेगा", "ेगी", "ेंगे", "ोगे", "ोगी", "ाऊँ", "ाऊं", "ऊँ", "ऊं", "िये"),
            *("ाई", "ाईं", "ाए", "ाएगा", "ाएगी", "ाएँगे", "ाते", "ाती", "ाता", "ातीं", "ाना", "ाकर", "ाने", "ाया"),
            *("ायी", "ाये", "ाओ", "वाना", "वाया", "वाला", "वाली", "वाले", "पन"),
        },
        key=len,
        reverse=True,
    )
)
LEMMA_ENDINGS: tuple[str, ...] = ("", "ा", "ी", "ना", "ाना", "नी")
MIN_STEM = 2


def devanagari_words(text: str) -> list[str]:
    return [word for word in words(text) if DEVANAGARI.search(word)]


class HindiLexicon:
    """Accepts a word the dictionary lists, an inflected form of one, or a word of the extra vocabulary."""

    def __init__(self, dictionary: Path = DEFAULT_DICTIONARY, extra_words: Iterable[str] = ()) -> None:
        from spylls.hunspell import Dictionary

        if not dictionary.with_suffix(".dic").is_file():
            raise FileNotFoundError(f"{dictionary}.dic not found: install the Debian package hunspell-hi (make hunspell-hi)")
        self._dictionary = Dictionary.from_files(str(dictionary))
        self._extra = frozenset(extra_words)
        self.accepts = lru_cache(maxsize=200_000)(self._accepts)

    def _listed(self, word: str) -> bool:
        return word in self._extra or bool(self._dictionary.lookup(word))

    def _accepts(self, word: str) -> bool:
        if self._listed(word):
            return True
        for suffix in SUFFIXES:
            stem = word[: -len(suffix)]
            if word.endswith(suffix) and len(stem) >= MIN_STEM and any(self._listed(stem + end) for end in LEMMA_ENDINGS):
                return True
        return False

    def validity(self, texts: Sequence[str]) -> float:
        """Share of all Devanagari words in the texts that are accepted (0 when there are none)."""
        found = [word for text in texts for word in devanagari_words(text)]
        return sum(map(self.accepts, found)) / len(found) if found else 0.0

    def rejected(self, texts: Sequence[str]) -> list[str]:
        """The distinct rejected words, most frequent first (for reports)."""
        counts: dict[str, int] = {}
        for word in (word for text in texts for word in devanagari_words(text)):
            if not self.accepts(word):
                counts[word] = counts.get(word, 0) + 1
        return sorted(counts, key=lambda word: -counts[word])


def vocabulary(texts: Iterable[str]) -> set[str]:
    """The distinct Devanagari words of the texts (a corpus's own vocabulary for `HindiLexicon.extra_words`)."""
    return {word for text in texts for word in devanagari_words(text)}
