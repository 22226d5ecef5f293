"""Phrase matching over normalised words, for the bilingual lexicon in `lexicon/<category>.txt`.

File format (UTF-8, `#` starts a comment, one or more phrases per line separated by ` | ` with spaces):
- words are separated by spaces and written in any script; they are normalised like the text (see `text.py`);
- a word ending in `*` matches any word starting with it (`मार*` = मार, मारा, मारूँगा; `stab*`);
- `a|b` matches either word (`kill ~ him|her|them`); alternatives may end in `*` too;
- a lone `~` stands for up to three other words (`kill ~ yourself` also matches "kill all of yourself").
A phrase matches only whole words, in order, so `उल्लू` never matches inside `उल्लूपन` and `ass` never
inside `class`. Each phrase's `rule` (`<category>:<line>`) names it in logs, never the words themselves.

Linear time: phrases are looked up by their first word (a dict for exact words; for prefixes, a dict keyed by
the word's first up-to-`longest prefix` characters), and a phrase is at most a few words long with at most
`MAX_GAP` words per gap, so each word of the text costs a bounded amount of work however long the text is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from importlib import resources

from storyscape_safety.text import words
from storyscape_safety.types import Category

GAP = "~"
MAX_GAP = 3


@dataclass(frozen=True)
class Word:
    """One position of a phrase: exact words and prefixes it accepts (both empty for a gap)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, part: str) -> Word:
        alternatives = part.split("|")
        return cls(frozenset(a for a in alternatives if not a.endswith("*")), tuple(a[:-1] for a in alternatives if a.endswith("*")))

    def matches(self, word: str) -> bool:
        return word in self.exact or word.startswith(self.prefixes)


@dataclass(frozen=True)
class Phrase:
    category: Category
    parts: tuple[str, ...]  # normalised words; "x*" a prefix; "a|b" alternatives; "~" a gap
    source: str  # the line as written, for the evaluation report
    words: tuple[Word | None, ...]  # `parts` ready for matching; None is a gap
    rule: str = ""  # `<category>:<line number>` in the lexicon file: what a log may say about a match

    def matches_at(self, text: list[str], start: int) -> bool:
        return _match(self.words, 0, text, start)


def _match(parts: tuple[Word | None, ...], p: int, text: list[str], t: int) -> bool:
    if p == len(parts):
        return True
    part = parts[p]
    if part is None:
        return any(_match(parts, p + 1, text, t + skip) for skip in range(MAX_GAP + 1) if t + skip <= len(text))
    return t < len(text) and part.matches(text[t]) and _match(parts, p + 1, text, t + 1)


def _normalise_word(raw: str) -> str:
    normalised = words(raw.rstrip("*"))
    if len(normalised) != 1:
        raise ValueError(f"lexicon word {raw!r} is not one word after normalisation")
    return normalised[0] + ("*" if raw.endswith("*") else "")


def parse_line(line: str, category: Category, *, number: int = 0) -> list[Phrase]:
    """The phrases on one lexicon line (none for a blank or comment line); `number` is its line number."""
    line = line.split("#", 1)[0].strip()
    return [parse_phrase(phrase.strip(), category, rule=f"{category.value}:{number}") for phrase in line.split(" | ") if phrase.strip()]


def parse_phrase(line: str, category: Category, *, rule: str = "") -> Phrase:
    parts: list[str] = []
    for raw in line.split():
        if raw == GAP:
            parts.append(GAP)
            continue
        parts.append("|".join(_normalise_word(alt) for alt in raw.split("|")))
    if parts[0] == GAP or parts[-1] == GAP:
        raise ValueError(f"lexicon phrase {line!r} starts or ends with a gap")
    return Phrase(category, tuple(parts), line, tuple(None if part == GAP else Word.of(part) for part in parts), rule)


class Lexicon:
    """All phrases, indexed by their first word so a check looks only at the candidates for each word."""

    def __init__(self, phrases: list[Phrase]) -> None:
        self.phrases = phrases
        self._exact: dict[str, list[Phrase]] = defaultdict(list)
        self._prefixed: dict[str, list[Phrase]] = defaultdict(list)
        for phrase in phrases:
            first = phrase.words[0]
            assert first is not None  # parse_phrase refuses a leading gap
            for word in first.exact:
                self._exact[word].append(phrase)
            for prefix in first.prefixes:
                self._prefixed[prefix].append(phrase)
        self._prefix_lengths = sorted({len(prefix) for prefix in self._prefixed})

    @classmethod
    def bundled(cls) -> Lexicon:
        phrases: list[Phrase] = []
        folder = resources.files("storyscape_safety") / "lexicon"
        for category in Category:
            text = (folder / f"{category.value}.txt").read_text(encoding="utf-8")
            for number, line in enumerate(text.splitlines(), start=1):
                phrases.extend(parse_line(line, category, number=number))
        return cls(phrases)

    def find(self, text: str) -> list[Phrase]:
        """Every phrase that occurs in `text` (each at most once)."""
        return self.find_in_words(words(text))

    def find_in_words(self, tokens: list[str]) -> list[Phrase]:
        """Every phrase that occurs in the word list `tokens` (from `text.words`), each at most once."""
        found: dict[int, Phrase] = {}
        for i, token in enumerate(tokens):
            candidates = list(self._exact.get(token, []))
            for length in self._prefix_lengths:
                if length > len(token):
                    break
                candidates.extend(self._prefixed.get(token[:length], ()))
            for phrase in candidates:
                if id(phrase) not in found and phrase.matches_at(tokens, i):
                    found[id(phrase)] = phrase
        return list(found.values())

    def categories(self, text: str) -> set[Category]:
        return {phrase.category for phrase in self.find(text)}
