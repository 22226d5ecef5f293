"""Text made ready for a voice: sentences end at the danda too, numbers are read in the story's language, no markup."""

from __future__ import annotations

import pytest

from media_service.narration.numbers import spell_numbers
from media_service.narration.text import chunks, prepare, sentences


def test_sentences_end_at_danda_double_danda_and_latin_marks() -> None:
    text = 'राम स्कूल गया। वहाँ उसने पढ़ा॥ फिर क्या हुआ? "Wow!" she said. नया वाक्य'
    assert sentences(text) == ["राम स्कूल गया।", "वहाँ उसने पढ़ा॥", "फिर क्या हुआ?", '"Wow!"', "she said.", "नया वाक्य"]


@pytest.mark.parametrize(
    ("text", "language", "spoken"),
    [
        ("उसके पास 42 आम थे", "hi", "उसके पास बयालीस आम थे"),
        ("१५ तोते", "hi", "पंद्रह तोते"),
        ("1,05,000 रुपये", "hi", "एक लाख पाँच हज़ार रुपये"),
        ("2026 में", "hi", "दो हज़ार छब्बीस में"),
        ("She had 42 apples", "en", "She had forty-two apples"),
        ("1234 stars", "en", "one thousand two hundred and thirty-four stars"),
        ("call 007", "en", "call zero zero seven"),
    ],
)
def test_numbers_are_read_in_the_story_language(text: str, language: str, spoken: str) -> None:
    assert spell_numbers(text, language) == spoken


def test_markup_is_not_read_aloud() -> None:
    text = "# शीर्षक\n**राजा** ने <i>कहा</i>: [यहाँ देखो](https://example.org)।\n- एक सूची\n> उद्धरण &amp; अंत।"
    spoken = " ".join(prepare(text, "hi"))
    for mark in ("#", "*", "<", ">", "](", "http", "&amp;", "- "):
        assert mark not in spoken
    assert "राजा ने कहा: यहाँ देखो।" in spoken and "उद्धरण & अंत।" in spoken


def test_chunks_stay_under_the_limit_and_break_between_sentences() -> None:
    spoken = prepare(" ".join(f"Sentence number {n} is here." for n in range(100)), "en")
    parts = chunks(spoken, limit=120)
    assert all(len(part) <= 120 for part in parts)
    assert all(part.endswith(".") for part in parts)
    assert " ".join(parts) == " ".join(spoken)


def test_a_sentence_longer_than_the_limit_is_cut_between_words() -> None:
    parts = chunks(["word " * 50], limit=40)
    assert all(len(part) <= 40 for part in parts)
    assert all(set(part.split()) == {"word"} for part in parts)
