"""Text normalisation and word splitting that work for Devanagari as well as Latin script.

Python's `\\w` and `\\b` treat Devanagari vowel signs and virama (combining marks, categories Mn/Mc) as
non-word characters, so `\\bगधा\\b` style matching splits words in the middle. Here a word is a run of
letters, digits AND combining marks, so `उल्लू` stays one word.

Both the lexicon and the text under check go through `normalise()` and `words()`, so folding rules apply
equally to both sides:
- NFC, then zero-width characters (ZWJ, ZWNJ, ZWSP, soft hyphen, BOM, variation selectors) are removed:
  they change how a conjunct looks, not which word it is, and are an easy way to dodge a word list.
- Devanagari: nukta dropped (ज़ = ज), chandrabindu folded into anusvara (ँ = ं): spellings vary by writer.
- Latin (English, romanised Hinglish): case-folded, common digit/symbol swaps undone (`k1ll`, `@ss`), and
  runs of three or more letters shortened to two (`maaaar` = `maar`). Shortening to one would make `ass`
  into `as`, so romanised spelling variants (`maar`/`mar`) are listed in the lexicon instead.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\ufe0e\ufe0f"))
_DEVANAGARI_FOLD = {0x093C: None, 0x0901: 0x0902}  # nukta dropped, chandrabindu -> anusvara
# Letters, digits, underscore-free; plus the Devanagari block's marks (not the danda punctuation) and
# Latin combining accents. Symbols used as letters (@, $) are kept so they can be folded below.
_WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963\u0966-\u097f\u0300-\u036f@$])+")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"})
_BANG_AS_I = re.compile(r"(?<=[a-z])!(?=[a-z])")  # b!tch
_APOSTROPHE = re.compile(r"(?<=\w)['’](?=\w)")  # don't = dont, so lexicon words stay single words
_RUNS = re.compile(r"([a-z])\1{2,}")
_SENTENCE_END = re.compile(r"[.!?।॥\n]+[\"'”’)\]]*\s*")


def normalise(text: str) -> str:
    """NFC, invisible characters removed, Devanagari spelling variants folded, case-folded."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    # NFC keeps precomposed nukta letters decomposed (they are composition exclusions); fold after NFD
    # of just those so क़ (U+0958) and क + ़ end up the same.
    text = unicodedata.normalize("NFD", text).translate(_DEVANAGARI_FOLD)
    text = unicodedata.normalize("NFC", text).casefold()
    return _BANG_AS_I.sub("i", _APOSTROPHE.sub("", text))


# A word with letters hidden behind asterisks (f***, भो***के, च्यू**या) is swearing written so that a child
# can still read it. Markdown bold (**Title**) never has three asterisks or two between letters.
MASKED_WORD = re.compile(r"(?:[^\W_]|[\u0900-\u0963])+(?:\*{3,}|\*{2}(?=[^\W_]|[\u0900-\u0963]))")


def has_masked_word(text: str) -> bool:
    return MASKED_WORD.search(unicodedata.normalize("NFC", text)) is not None


def _fold_latin(word: str) -> str:
    if not word.isascii():
        return word
    if any(c.isalpha() for c in word):
        word = word.translate(_LEET)
    return _RUNS.sub(r"\1\1", word)


def words(text: str) -> list[str]:
    """The normalised words of `text`, in order (combining marks are part of words)."""
    return [_fold_latin(w) for w in _WORD.findall(normalise(text))]


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
