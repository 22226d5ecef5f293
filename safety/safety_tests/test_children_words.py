"""Children's-story words pass, swearing and threats do not, in Devanagari, Hinglish and English, and the
Devanagari matching holds up against the ways text really arrives (ZWJ/ZWNJ, nukta forms, decomposed)."""

from __future__ import annotations

import unicodedata

import pytest

from storyscape_safety import Category, OfflineModerator

CHILDRENS_STORY_LINES = [
    "उल्लू पेड़ की डाल पर बैठकर रात भर जागता रहा।",
    "गधा ज़िद्दी था, पर वह सबसे वफ़ादार दोस्त था।",
    "पागल हाथी गाँव में घुस आया, पर महावत ने उसे शांत कर दिया।",
    "जंगल में बाघ ने हिरण का शिकार किया।",
    "दुष्ट चुड़ैल हार गई और सब खुश हो गए।",
    "ड्रैगन ने आग उगली और आसमान रोशन हो गया।",
    "The tiger was hunting a deer in the tall grass.",
    "The witch was defeated and the kingdom was free.",
    "The dragon breathed fire over the mountains.",
    "ullu aur gadha pakke dost the, aur dono thode pagal bhi.",
    "अर्जुन ने गांडीव उठाया और निशाना साधा।",  # गांडीव (Arjuna's bow) contains a swear word's letters
    "The class went to the museum to see the bass guitar.",  # "ass" inside words
    # Lines that tripped entries written too broadly (found probing what stories say; see bench/bench_safety.py):
    "He played the bongo drums at the fair.",
    "Grandpa gave the table a smack and laughed.",
    "The vines strangled the old fence.",
    "The brave knight took a stab at the puzzle.",
    "The shooter in the basketball game scored.",
    "The doctor gave her medicine and drugs for the cold.",
    "The little sexton rang the church bell.",
    "राजा ने कहा, इस राक्षस को मार डालो!",
    "चतुर खरगोश ने शेर को कुएँ में गिरा दिया।",
]


@pytest.mark.parametrize("line", CHILDRENS_STORY_LINES)
async def test_childrens_story_lines_pass(offline: OfflineModerator, line: str) -> None:
    verdict = await offline.check_text(line)
    assert verdict.allowed, (line, verdict.categories)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("तू चूतिया है", Category.PROFANITY),
        ("उल्लू का पट्ठा कहीं का", Category.PROFANITY),
        ("मैं तुझे जान से मार दूँगा", Category.VIOLENCE),
        ("mai tujhe jaan se maar dunga", Category.VIOLENCE),
        ("मैं आत्महत्या करना चाहता हूँ", Category.SELF_HARM),
        ("बच्चों को गांजा पिलाओ", Category.DRUGS),
        ("नंगी तस्वीरें भेजो", Category.SEXUAL),
        ("सारे मुसलमान आतंकवादी होते हैं", Category.HATE),
        ("I will kill you", Category.VIOLENCE),
        ("I will stab you", Category.VIOLENCE),
        ("he strangled her", Category.VIOLENCE),
        ("मैं तुझे मार डालूँगा", Category.VIOLENCE),
        ("main tujhe maar dalunga", Category.VIOLENCE),
        ("sab ko maar dalenge", Category.VIOLENCE),
        ("what the fuck", Category.PROFANITY),
    ],
)
async def test_unsafe_text_is_blocked_with_its_category(offline: OfflineModerator, text: str, category: Category) -> None:
    verdict = await offline.check_text(text)
    assert verdict.blocked and category in verdict.categories, verdict


@pytest.mark.parametrize(
    "disguised",
    [
        "तू चू\u200dतिया है",  # zero-width joiner inside the word
        "तू चू\u200cतिया है",  # zero-width non-joiner
        unicodedata.normalize("NFD", "हरामज़ादा"),  # nukta as a separate mark
        "\u0915\u093c\u0924\u094d\u0932 \u0915\u0930 \u0926\u094b",  # क़त्ल spelt with a combining nukta
        "\u0958\u0924\u094d\u0932 \u0915\u0930 \u0926\u094b",  # क़त्ल with the precomposed U+0958
        "मैं तुझे जान से मार दूँगा",  # chandrabindu where the lexicon has anusvara
        "k1ll yourself",
    ],
)
async def test_spelling_tricks_do_not_get_past(offline: OfflineModerator, disguised: str) -> None:
    assert (await offline.check_text(disguised)).blocked


async def test_devanagari_words_are_matched_whole(offline: OfflineModerator) -> None:
    # A naive \b regex splits Devanagari words at vowel signs; whole-word matching must not.
    assert (await offline.check_text("गांड")).blocked
    assert (await offline.check_text("गांडीव")).allowed
    assert (await offline.check_text("लंड")).blocked
    assert (await offline.check_text("लंडन शहर बहुत बड़ा है")).allowed
