"""Which artwork a story asks for: English and Hindi keyword maps, genre emblems and a mood read from the text."""

from __future__ import annotations

import re

# Keyword (lower-case English, or Hindi stem) → emoji. Hindi words match as prefixes of a word, so inflected
# forms (हाथी/हाथियों, चिड़िया/चिड़ियों) are found too.
ENGLISH: dict[str, str] = {
    "elephant": "🐘",
    "lion": "🦁",
    "tiger": "🐯",
    "monkey": "🐒",
    "dog": "🐕",
    "puppy": "🐶",
    "cat": "🐈",
    "kitten": "🐱",
    "bird": "🐦",
    "sparrow": "🐦",
    "parrot": "🦜",
    "peacock": "🦚",
    "owl": "🦉",
    "fish": "🐟",
    "rabbit": "🐇",
    "bunny": "🐰",
    "fox": "🦊",
    "bear": "🐻",
    "cow": "🐄",
    "horse": "🐎",
    "frog": "🐸",
    "turtle": "🐢",
    "tortoise": "🐢",
    "snake": "🐍",
    "butterfly": "🦋",
    "bee": "🐝",
    "ant": "🐜",
    "mouse": "🐭",
    "dragon": "🐉",
    "unicorn": "🦄",
    "dinosaur": "🦕",
    "robot": "🤖",
    "alien": "👽",
    "ghost": "👻",
    "wizard": "🧙",
    "fairy": "🧚",
    "king": "🤴",
    "queen": "👸",
    "princess": "👸",
    "prince": "🤴",
    "girl": "👧",
    "boy": "👦",
    "grandmother": "👵",
    "grandma": "👵",
    "grandfather": "👴",
    "teacher": "🧑‍🏫",
    "tree": "🌳",
    "forest": "🌲",
    "flower": "🌸",
    "garden": "🌻",
    "mountain": "⛰️",
    "river": "🏞️",
    "sea": "🌊",
    "ocean": "🌊",
    "beach": "🏖️",
    "island": "🏝️",
    "moon": "🌙",
    "star": "⭐",
    "sun": "☀️",
    "rain": "🌧️",
    "snow": "❄️",
    "rainbow": "🌈",
    "cloud": "☁️",
    "castle": "🏰",
    "house": "🏠",
    "school": "🏫",
    "village": "🏘️",
    "city": "🏙️",
    "rocket": "🚀",
    "space": "🪐",
    "planet": "🪐",
    "train": "🚂",
    "boat": "⛵",
    "ship": "🚢",
    "car": "🚗",
    "kite": "🪁",
    "ball": "⚽",
    "book": "📖",
    "treasure": "💎",
    "map": "🗺️",
    "cake": "🎂",
    "mango": "🥭",
    "apple": "🍎",
    "banana": "🍌",
    "music": "🎵",
    "crown": "👑",
    "key": "🗝️",
}
HINDI: dict[str, str] = {
    "हाथी": "🐘",
    "हाथि": "🐘",  # हाथियों: the plural changes the vowel sign
    "शेर": "🦁",
    "बाघ": "🐯",
    "बंदर": "🐒",
    "कुत्त": "🐕",
    "पिल्ल": "🐶",
    "बिल्ल": "🐈",
    "चिड़िय": "🐦",
    "गौरैय": "🐦",
    "तोत": "🦜",
    "मोर": "🦚",
    "उल्लू": "🦉",
    "मछल": "🐟",
    "खरगोश": "🐇",
    "लोमड़": "🦊",
    "भालू": "🐻",
    "गाय": "🐄",
    "घोड़": "🐎",
    "मेंढक": "🐸",
    "कछु": "🐢",
    "साँप": "🐍",
    "सांप": "🐍",
    "तितल": "🦋",
    "मधुमक्ख": "🐝",
    "चींट": "🐜",
    "चूह": "🐭",
    "अजगर": "🐍",
    "ड्रैगन": "🐉",
    "रोबोट": "🤖",
    "भूत": "👻",
    "जादूगर": "🧙",
    "परी": "🧚",
    "राजा": "🤴",
    "रानी": "👸",
    "राजकुमार": "👸",
    "लड़की": "👧",
    "लड़का": "👦",
    "दादी": "👵",
    "नानी": "👵",
    "दादा": "👴",
    "नाना": "👴",
    "पेड़": "🌳",
    "जंगल": "🌲",
    "फूल": "🌸",
    "बगीच": "🌻",
    "पहाड़": "⛰️",
    "नदी": "🏞️",
    "समुद्र": "🌊",
    "सागर": "🌊",
    "चाँद": "🌙",
    "चांद": "🌙",
    "तार": "⭐",
    "सूरज": "☀️",
    "बारिश": "🌧️",
    "बर्फ": "❄️",
    "इंद्रधनुष": "🌈",
    "बादल": "☁️",
    "महल": "🏰",
    "घर": "🏠",
    "स्कूल": "🏫",
    "विद्यालय": "🏫",
    "गाँव": "🏘️",
    "गांव": "🏘️",
    "शहर": "🏙️",
    "रॉकेट": "🚀",
    "अंतरिक्ष": "🪐",
    "ग्रह": "🪐",
    "रेलगाड़": "🚂",
    "ट्रेन": "🚂",
    "नाव": "⛵",
    "जहाज": "🚢",
    "पतंग": "🪁",
    "गेंद": "⚽",
    "किताब": "📖",
    "खज़ान": "💎",
    "खजान": "💎",
    "केक": "🎂",
    "आम": "🥭",
    "सेब": "🍎",
    "केला": "🍌",
    "संगीत": "🎵",
    "मुकुट": "👑",
    "चाबी": "🗝️",
}
GENRE_EMBLEMS: dict[str, str] = {
    "adventure": "🗺️",
    "fantasy": "🏰",
    "fairy_tale": "🧚",
    "animals": "🐾",
    "space": "🚀",
    "science": "🔬",
    "mystery": "🔍",
    "funny": "😄",
    "bedtime": "🌙",
    "friendship": "🤝",
    "nature": "🌳",
    "mythology": "🪔",
    "history": "🏛️",
    "sports": "⚽",
    "moral": "💡",
}
DEFAULT_EMBLEM = "📖"

# Background gradients (top, bottom) by genre; unknown genres get the default.
GENRE_SKIES: dict[str, tuple[str, str]] = {
    "adventure": ("#ffd27f", "#f08a4b"),
    "fantasy": ("#c9a7ff", "#6c4ab6"),
    "fairy_tale": ("#ffd1ec", "#b784d8"),
    "animals": ("#bfe9a8", "#5fae5b"),
    "space": ("#1b1f4b", "#070816"),
    "science": ("#b8e3ff", "#4a90c2"),
    "mystery": ("#6b6f8f", "#2a2c40"),
    "funny": ("#fff3a6", "#ffb84d"),
    "bedtime": ("#2c3e7a", "#0e1530"),
    "nature": ("#c8f0c0", "#6dbb6a"),
    "friendship": ("#ffe0c2", "#f2a07b"),
    "mythology": ("#ffe3a3", "#d4893a"),
}
DEFAULT_SKY = ("#cfe8ff", "#8fb8e8")
MOOD_WORDS: dict[str, tuple[str, ...]] = {
    "happy": ("happy", "laugh", "smile", "joy", "fun", "खुश", "हँस", "हंस", "मज़", "मज", "आनंद"),
    "sad": ("sad", "cry", "tear", "lonely", "दुख", "रो", "उदास", "अकेल"),
    "scary": ("dark", "scary", "afraid", "storm", "night", "अंधेर", "डर", "तूफ़ान", "तूफान", "रात"),
}

_WORD = re.compile(r"[\w\u0900-\u097f]+")


def find_artwork(text: str, *, limit: int) -> list[str]:
    """Emoji for the keywords of `text`, most frequent first, no repeats, at most `limit`."""
    counts: dict[str, int] = {}
    first_seen: dict[str, int] = {}
    for position, word in enumerate(_WORD.findall(text.lower())):
        emoji = ENGLISH.get(word) or ENGLISH.get(word.rstrip("s")) or _hindi(word)
        if emoji:
            counts[emoji] = counts.get(emoji, 0) + 1
            first_seen.setdefault(emoji, position)
    ranked = sorted(counts, key=lambda e: (-counts[e], first_seen[e]))
    return ranked[:limit]


def _hindi(word: str) -> str | None:
    for stem, emoji in HINDI.items():
        # Short stems (आम, घर, तार) must match whole words, or they would fire inside unrelated words.
        if word == stem or (len(stem) >= 4 and word.startswith(stem)):
            return emoji
    return None


def mood_of(text: str) -> str:
    lowered = text.lower()
    scores = {mood: sum(lowered.count(w) for w in words) for mood, words in MOOD_WORDS.items()}
    mood, score = max(scores.items(), key=lambda item: item[1])
    return mood if score > 0 else "calm"


def emblem_for(genres: list[str]) -> str:
    return next((GENRE_EMBLEMS[g] for g in genres if g in GENRE_EMBLEMS), DEFAULT_EMBLEM)


def sky_for(genres: list[str]) -> tuple[str, str]:
    return next((GENRE_SKIES[g] for g in genres if g in GENRE_SKIES), DEFAULT_SKY)
