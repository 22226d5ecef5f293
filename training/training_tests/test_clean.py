"""Cleaning: one Unicode form for the same Hindi word, no invisible characters, tidy dandas, no boilerplate."""

from __future__ import annotations

from training.dataset.clean import clean_story_text, clean_title, normalize_text
from training.dataset.language import script_shares

PRECOMPOSED_ZA = "\u095b"  # ज़ as one code point
DECOMPOSED_ZA = "\u091c\u093c"  # ज + nukta


def test_both_spellings_of_a_nukta_letter_become_one() -> None:
    precomposed = f"{PRECOMPOSED_ZA}रा रुको, फ़िर \u0929"
    decomposed = f"{DECOMPOSED_ZA}रा रुको, \u092b\u093cिर \u0928\u093c"
    assert normalize_text(precomposed) == normalize_text(decomposed)
    assert PRECOMPOSED_ZA not in normalize_text(precomposed)
    # ऩ is not a composition exclusion: NFC gives the single code point.
    assert normalize_text(decomposed).endswith("\u0929")


def test_nfc_composes_latin_accents() -> None:
    assert normalize_text("cafe\u0301") == "caf\u00e9"


def test_zero_width_joiners_and_control_characters_are_removed() -> None:
    text = "क्\u200dष\u200cत्रि\u200bय\ufeff राजा\u0007 आया\u00ad।"
    assert normalize_text(text) == "क्षत्रिय राजा आया।"


def test_danda_spacing_is_normalised() -> None:
    assert normalize_text("वह घर गया ।वह सो गया  ॥") == "वह घर गया। वह सो गया॥"
    assert normalize_text("राम आया | सीता आई|") == "राम आया। सीता आई।"


def test_whitespace_collapses_but_paragraphs_stay() -> None:
    text = "  पहली   पंक्ति\t है।  \r\n\r\n\r\n\r\nदूसरा\u00a0अनुच्छेद। "
    assert normalize_text(text) == "पहली पंक्ति है।\n\nदूसरा अनुच्छेद।"


def test_boilerplate_lines_and_urls_are_dropped() -> None:
    text = (
        "एक छोटी चिड़िया थी।\nRead more\nविज्ञापन\nAdvertisement:\n"
        "वह रोज़ गाना गाती थी, देखें https://example.com/story?id=3 या www.example.org\n"
        "© 2024 Example Stories. All rights reserved.\nसर्वाधिकार सुरक्षित\nअंत में सब खुश थे।"
    )
    cleaned = clean_story_text(text)
    assert cleaned == "एक छोटी चिड़िया थी।\nवह रोज़ गाना गाती थी, देखें या\nअंत में सब खुश थे।"


def test_title_is_one_clean_line() -> None:
    assert clean_title('  "चाँद \n का  सपना"  ') == "चाँद का सपना"


def test_script_shares_count_vowel_signs_as_devanagari() -> None:
    hindi = script_shares("बच्चे खेल रहे थे।")
    assert hindi.devanagari == 1.0 and hindi.latin == 0.0
    mixed = script_shares("Mini और मोर")
    assert 0.5 < mixed.devanagari < 0.8
