"""Script shares: is a record's text in the language the run prepares?"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass


def is_devanagari(ch: str) -> bool:
    return "\u0900" <= ch <= "\u097f" or "\ua8e0" <= ch <= "\ua8ff"


def is_letter(ch: str) -> bool:
    # Devanagari vowel signs and viramas are marks (Mc/Mn), not letters, yet they are half the script.
    return unicodedata.category(ch)[0] in {"L", "M"}


@dataclass(frozen=True)
class ScriptShares:
    letters: int
    devanagari: float
    latin: float


def script_shares(text: str) -> ScriptShares:
    """Share of letters (marks included) that are Devanagari, and that are ASCII Latin."""
    letters = [ch for ch in text if is_letter(ch)]
    if not letters:
        return ScriptShares(0, 0.0, 0.0)
    devanagari = sum(1 for ch in letters if is_devanagari(ch))
    latin = sum(1 for ch in letters if ch.isascii())
    return ScriptShares(len(letters), devanagari / len(letters), latin / len(letters))


def language_problem(*, text: str, declared: str, language: str, min_devanagari: float, min_latin: float) -> str | None:
    """Why the record is not `language` (None when it is): its script share first, then its declared language."""
    shares = script_shares(text)
    if language == "hi" and shares.devanagari < min_devanagari:
        return f"Devanagari share {shares.devanagari:.2f} < {min_devanagari} (declared {declared!r})"
    if language == "en" and shares.latin < min_latin:
        return f"Latin share {shares.latin:.2f} < {min_latin} (declared {declared!r})"
    if declared != language:
        return f"declared language {declared!r}, run prepares {language!r}"
    return None
