"""The ways people dress a word to slip it past a word list, as functions: the adversarial evaluation split,
the property tests and `bench/bench_safety.py` apply them to known-unsafe phrases.

This is the attacker's side, written by hand from what is seen in the wild (and in our own red-team notes):
the defence in `text.py` uses Unicode's tables instead, so a trick the tables miss shows up as a miss.

An item names its trick and marks the word to dress in brackets: `cyrillic: I will [kill] you`. Tricks that
hide between letters (`lrm`, `zwj`, `tags` ...) dress only the bracketed word; with no brackets the whole
text is dressed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Look-alikes people substitute for Latin letters (Cyrillic first, Greek where Cyrillic has none).
_CYRILLIC = str.maketrans("aceopxyijshdlkABCEHKMOPTX", "асеорхуіјѕһԁӏкАВСЕНКМОРТХ")
_GREEK = str.maketrans("aoviktnuABEHIKMNOPTXYZ", "αονικτηυΑΒΕΗΙΚΜΝΟΡΤΧΥΖ")
_BRACKETED = re.compile(r"\[([^\[\]]*)\]")  # one class inside fixed brackets: no backtracking


def _between(joiner: str) -> Callable[[str], str]:
    return lambda word: joiner.join(word)


def _after_each(mark: str) -> Callable[[str], str]:
    return lambda word: "".join(char + mark for char in word)


def _fullwidth(word: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in word)


def _math_bold(word: str) -> str:
    def bold(c: str) -> str:
        if "a" <= c <= "z":
            return chr(0x1D41A + ord(c) - ord("a"))
        if "A" <= c <= "Z":
            return chr(0x1D400 + ord(c) - ord("A"))
        return c

    return "".join(map(bold, word))


def _tags(word: str) -> str:
    """Invisible tag characters (U+E0020..E007F) between the letters, as in emoji tag sequences."""
    return "".join(char + chr(0xE0000 + ord("x")) for char in word)


def _diaeresis(word: str) -> str:
    """A combining diaeresis on every vowel (Latin) or after the first letter (Devanagari): kïll."""
    if word.isascii():
        return "".join(c + "\u0308" if c.lower() in "aeiou" else c for c in word)
    return word[:1] + "\u0308" + word[1:]


def _spaced(separator: str) -> Callable[[str], str]:
    """Each letter on its own (a Devanagari mark is its own "letter" here: च ू त ि य ा)."""
    return lambda word: separator.join(word)


TRICKS: dict[str, Callable[[str], str]] = {
    "plain": lambda word: word,
    "lrm": _between("\u200e"),  # LEFT-TO-RIGHT MARK, a format character
    "zwsp": _between("\u200b"),
    "zwj": _between("\u200d"),
    "zwnj": _between("\u200c"),
    "soft-hyphen": _between("\u00ad"),
    "cgj": _between("\u034f"),  # COMBINING GRAPHEME JOINER
    "variation-selector": _after_each("\ufe0f"),
    "tags": _tags,
    "diaeresis": _diaeresis,
    "cyrillic": lambda word: word.translate(_CYRILLIC),
    "greek": lambda word: word.translate(_GREEK),
    "fullwidth": _fullwidth,
    "math-bold": _math_bold,
    "spaced": _spaced(" "),
    "dotted": _spaced("."),
    "hyphenated": _spaced("-"),
}


def dress(text: str, trick: str) -> str:
    """`text` with its bracketed word (or, with no brackets, all of it) dressed by `trick`."""
    apply = TRICKS[trick]
    if _BRACKETED.search(text) is None:
        return apply(text)
    return _BRACKETED.sub(lambda match: apply(match.group(1)), text)
