"""Story text made ready for a voice: no markup, numbers as words, split into sentences and size-limited chunks."""

from __future__ import annotations

import html
import re

from media_service.narration.numbers import spell_numbers

_MARKUP = (
    re.compile(r"<[^>\n]{1,200}>"),  # HTML-ish tags
    re.compile(r"!\[[^\]]*\]\([^)]*\)"),  # Markdown images
    re.compile(r"^\s{0,3}#{1,6}\s*", re.MULTILINE),  # Markdown headings
    re.compile(r"^\s*(?:[-*+]|>)\s+", re.MULTILINE),  # bullets and quotes
    re.compile(r"[*_`~]{1,3}"),  # emphasis and code marks
)
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_URL = re.compile(r"https?://\S+")
# A sentence ends at . ! ? or the Devanagari danda (।) / double danda (॥), with any closing quotes after them.
_SENTENCE = re.compile(r"[^.!?।॥\n]+(?:[.!?।॥]+[\"'”’»)]*|\n+|$)")


def strip_markup(text: str) -> str:
    text = html.unescape(text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("", text)
    for pattern in _MARKUP:
        text = pattern.sub("", text)
    return text


def sentences(text: str) -> list[str]:
    """The sentences of `text`, each with its closing punctuation; line breaks end a sentence too."""
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def prepare(text: str, language: str) -> list[str]:
    """Sentences to speak: markup removed, numbers spelled out in `language`, whitespace collapsed."""
    spoken = spell_numbers(strip_markup(text), language)
    return [" ".join(s.split()) for s in sentences(spoken)]


def chunks(sentence_list: list[str], *, limit: int) -> list[str]:
    """Join sentences into chunks of at most `limit` characters, breaking only between sentences.

    A single sentence longer than `limit` is cut at the last space before it (never inside a word).
    """
    result: list[str] = []
    current = ""
    for sentence in sentence_list:
        for piece in _cut(sentence, limit):
            if current and len(current) + 1 + len(piece) > limit:
                result.append(current)
                current = ""
            current = f"{current} {piece}" if current else piece
    if current:
        result.append(current)
    return result


def _cut(sentence: str, limit: int) -> list[str]:
    pieces = []
    while len(sentence) > limit:
        at = sentence.rfind(" ", 0, limit)
        at = at if at > 0 else limit
        pieces.append(sentence[:at].strip())
        sentence = sentence[at:].strip()
    return [*pieces, sentence] if sentence else pieces
