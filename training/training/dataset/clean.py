"""Text cleaning: Unicode NFC, Devanagari normalisation, invisible characters, danda spacing, boilerplate, URLs.

Nukta letters: Unicode excludes the precomposed क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़ (U+0958–U+095F) from composition, so NFC always
turns them into base letter + nukta (U+093C). NFC is therefore the one consistent form: both spellings of ज़
become U+091C U+093C, and ऩ ऱ ऴ (not excluded) become their precomposed letters.
"""

from __future__ import annotations

import re
import unicodedata

# Zero-width joiners/non-joiners/spaces, BOM, soft hyphen, word joiner, bidi marks: invisible, they split
# otherwise identical words into different tokens and hashes.
INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad\u202a\u202b\u202c\u202d\u202e"))
URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
DEVANAGARI_CHAR = r"[\u0900-\u097F]"
# An ASCII pipe after Devanagari is a danda typed on a keyboard without one.
PIPE_AS_DANDA = re.compile(rf"(?<={DEVANAGARI_CHAR})\s*\|(?!\|)")
SPACE_BEFORE_DANDA = re.compile(r"[ \t]+([।॥])")
DANDA_THEN_TEXT = re.compile(r"([।॥])(?=[^\s।॥\"'”’)\]])")
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
BLANK_LINES = re.compile(r"\n{3,}")

BOILERPLATE_LINE = re.compile(
    r"^\W*(?:read more|continue reading|advertisement|sponsored|share(?: this)?(?: story)?|click here"
    r"|subscribe|और पढ़ें|आगे पढ़ें|विज्ञापन|यह भी पढ़ें|शेयर करें)\W*$",
    re.IGNORECASE,
)
COPYRIGHT_LINE = re.compile(r"(?:©|\(c\)|copyright|all rights reserved|सर्वाधिकार सुरक्षित|कॉपीराइट)", re.IGNORECASE)


def strip_control_characters(text: str) -> str:
    """Drop invisible format characters and control characters other than newline and tab."""
    text = text.translate(INVISIBLE)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in {"Cc", "Cf", "Co", "Cs"})


def fix_danda_spacing(text: str) -> str:
    """No space before । or ॥, one space after when text follows on the same line."""
    text = PIPE_AS_DANDA.sub("।", text)
    text = SPACE_BEFORE_DANDA.sub(r"\1", text)
    return DANDA_THEN_TEXT.sub(r"\1 ", text)


def is_boilerplate(line: str) -> bool:
    return bool(BOILERPLATE_LINE.match(line)) or bool(COPYRIGHT_LINE.search(line))


def normalize_text(text: str) -> str:
    """NFC, invisible/control characters removed, CRLF folded, spaces collapsed; keeps paragraph breaks."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = strip_control_characters(text)
    text = fix_danda_spacing(text)
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def clean_story_text(text: str) -> str:
    """normalize_text plus URL removal and boilerplate/copyright lines dropped."""
    text = URL.sub("", normalize_text(text))
    kept = [line for line in text.split("\n") if not (line.strip() and is_boilerplate(line))]
    return normalize_text("\n".join(kept))


def clean_title(title: str) -> str:
    """One line: normalised, URL-free, surrounding quotes and markdown marks trimmed."""
    title = URL.sub("", normalize_text(title)).replace("\n", " ")
    return SPACES.sub(" ", title).strip(" \"'“”‘’*#").strip()
