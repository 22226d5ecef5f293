"""Words and sentences of English or Hindi text."""

from __future__ import annotations

import re

# Python's \w leaves out Devanagari vowel signs (category Mc/Mn), so the block is listed explicitly.
WORD = re.compile(r"[\w\u0900-\u0963\u0966-\u097f]+(?:['’][\w]+)?")
SENTENCE_END = re.compile(r"[.!?।॥]+[\"'”’)]*\s*|\n+")


def words(text: str) -> list[str]:
    """Case-folded word tokens (dandas and punctuation dropped)."""
    return WORD.findall(text.casefold())


def sentences(text: str) -> list[str]:
    """Sentences split on . ! ? । ॥ and line breaks; empty pieces dropped."""
    return [piece.strip() for piece in SENTENCE_END.split(text) if piece and words(piece)]
