"""Deriving a story's title from the text the model wrote."""

from __future__ import annotations

import re

MAX_TITLE_CHARS = 80
FALLBACK_WORDS = 8
_DECORATION = re.compile(r"^[\s#*_\"'“”‘’`>-]+|[\s#*_\"'“”‘’`]+$")
_LABEL = re.compile(r"^(title|story title|शीर्षक|कहानी का शीर्षक)\s*[:：-]\s*", re.IGNORECASE)


def clean_title_line(line: str) -> str:
    line = _DECORATION.sub("", line.strip())
    line = _LABEL.sub("", line)
    return _DECORATION.sub("", line).strip()


def derive_title(text: str) -> str:
    """The first line when it reads like a title; otherwise the opening words of the story."""
    lines = [line for line in text.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    first = clean_title_line(lines[0])
    if len(lines) > 1 and 0 < len(first) <= MAX_TITLE_CHARS:
        return first
    words = clean_title_line(text).split()
    title = " ".join(words[:FALLBACK_WORDS])
    if len(words) > FALLBACK_WORDS or len(title) > MAX_TITLE_CHARS:
        title = title[:MAX_TITLE_CHARS].rstrip() + "…"
    return title
