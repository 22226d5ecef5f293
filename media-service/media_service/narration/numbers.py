"""Numbers as words in the story's language, so narration never spells out digits or reads them in English."""

from __future__ import annotations

import re

_HINDI_0_99 = (
    "शून्य एक दो तीन चार पाँच छह सात आठ नौ दस ग्यारह बारह तेरह चौदह पंद्रह सोलह सत्रह अठारह उन्नीस "
    "बीस इक्कीस बाईस तेईस चौबीस पच्चीस छब्बीस सत्ताईस अट्ठाईस उनतीस तीस इकतीस बत्तीस तैंतीस चौंतीस "
    "पैंतीस छत्तीस सैंतीस अड़तीस उनतालीस चालीस इकतालीस बयालीस तैंतालीस चवालीस पैंतालीस छियालीस "
    "सैंतालीस अड़तालीस उनचास पचास इक्यावन बावन तिरपन चौवन पचपन छप्पन सत्तावन अट्ठावन उनसठ साठ "
    "इकसठ बासठ तिरसठ चौंसठ पैंसठ छियासठ सड़सठ अड़सठ उनहत्तर सत्तर इकहत्तर बहत्तर तिहत्तर चौहत्तर "
    "पचहत्तर छिहत्तर सतहत्तर अठहत्तर उन्यासी अस्सी इक्यासी बयासी तिरासी चौरासी पचासी छियासी सत्तासी "
    "अट्ठासी नवासी नब्बे इक्यानवे बानवे तिरानवे चौरानवे पचानवे छियानवे सत्तानवे अट्ठानवे निन्यानवे"
).split()
# Indian grouping: crore (10^7), lakh (10^5), thousand, hundred.
_HINDI_SCALES = ((10_000_000, "करोड़"), (100_000, "लाख"), (1000, "हज़ार"), (100, "सौ"))

_EN_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_EN_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_EN_SCALES = ((1_000_000_000, "billion"), (1_000_000, "million"), (1000, "thousand"), (100, "hundred"))

# ASCII and Devanagari digits, with optional thousands separators (1,000 or 1,00,000).
_NUMBER = re.compile(r"[0-9०-९]+(?:,[0-9०-९]{2,3})*")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")
MAX_SPOKEN = 10**12  # larger numbers (phone numbers, ids) are read digit by digit


def hindi_words(number: int) -> str:
    if number < 100:
        return _HINDI_0_99[number]
    for scale, name in _HINDI_SCALES:
        if number >= scale:
            head, rest = divmod(number, scale)
            words = f"{hindi_words(head)} {name}"
            return f"{words} {hindi_words(rest)}" if rest else words
    raise AssertionError("unreachable")


def english_words(number: int) -> str:
    if number < 20:
        return _EN_ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return _EN_TENS[tens] + (f"-{_EN_ONES[ones]}" if ones else "")
    for scale, name in _EN_SCALES:
        if number >= scale:
            head, rest = divmod(number, scale)
            words = f"{english_words(head)} {name}"
            joiner = " and " if scale == 100 else " "
            return f"{words}{joiner}{english_words(rest)}" if rest else words
    raise AssertionError("unreachable")


def number_words(number: int, language: str) -> str:
    return hindi_words(number) if language == "hi" else english_words(number)


def spell_numbers(text: str, language: str) -> str:
    """Replace each number in `text` by its words in `language` (`hi` or anything else as English)."""

    def replace(match: re.Match[str]) -> str:
        digits = match.group().replace(",", "").translate(_DEVANAGARI_DIGITS)
        value = int(digits)
        if value >= MAX_SPOKEN or (len(digits) > 1 and digits.startswith("0")):
            return " ".join(number_words(int(d), language) for d in digits)
        return number_words(value, language)

    return _NUMBER.sub(replace, text)
