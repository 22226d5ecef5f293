"""Words for keyword search, the same way for stories and queries, in Hindi and English.

A word is a run of letters, combining marks and digits. Devanagari vowel signs and viramas are combining
marks, so `कहानी` and `राजकुमारी` stay one word (naive `\\w` splits them at every matra). Text is NFC-normalised
(a query typed in decomposed form matches), zero-width joiners are dropped, and case is folded.
"""

from __future__ import annotations

import re
import sys
import unicodedata

MAX_TERM_CHARS = 64
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)


def _word_class() -> str:
    """A regex class of every BMP letter, mark and number, as ranges (built once at import)."""
    ranges: list[tuple[int, int]] = []
    for code in range(min(sys.maxunicode, 0xFFFF) + 1):
        if unicodedata.category(chr(code))[0] in "LMN":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)


_WORD = re.compile(f"[{_word_class()}]+")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text).translate(_ZERO_WIDTH).casefold()


def words(text: str) -> list[str]:
    """The words of `text`, normalised, in order (repeats kept)."""
    return [word[:MAX_TERM_CHARS] for word in _WORD.findall(normalise(text))]


def story_terms(*parts: str) -> set[str]:
    """The distinct words a story is found by (its title, text and prompt)."""
    return {word for part in parts for word in words(part)}
