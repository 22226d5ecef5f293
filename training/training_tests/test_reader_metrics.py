"""The metrics a reader would agree with: real Hindi vs Devanagari noise, loops, staying on the asked topic,
and what a tokenizer spends on Devanagari."""

from __future__ import annotations

from pathlib import Path

import pytest
from transformers import AutoTokenizer

from training.evaluate.hindi_words import HindiLexicon, vocabulary
from training.evaluate.quality import prompt_adherence, repeated_ngram_share, repetition, tokens_per_devanagari_char
from training_tests.utils.corpus import seed_stories

GOOD_HINDI = (
    "सुबह होते ही राधा अपने दादाजी के साथ खेत की ओर चल पड़ी। रास्ते में पेड़ों पर चिड़ियाँ गा रही थीं और ठंडी "
    "हवा चल रही थी। दादाजी ने बताया कि इस साल बारिश अच्छी हुई है, इसलिए फसल भी अच्छी होगी। राधा ने पूछा, "
    '"क्या हम आज आम तोड़ेंगे?" दादाजी हँसकर बोले, "पहले पौधों को पानी देंगे, फिर आम खाएँगे।" राधा बहुत खुश '
    "हुई और दौड़कर कुएँ की तरफ़ गई।"
)
# Devanagari letters and vowel signs in word-like runs, as a byte-level model writes them: no Hindi words.
GIBBERISH = "कमलपट झरिफ़ घुटबी मनकोस तलपुड़ी सहिक्ला प्रमठे बौरुक्ष लिनमा धोकिप। थिरकूनी पलसाई मटोरिख ढुलकेप सरनाभी गुंचोष झिलपा टकारु फुसनीव।"


@pytest.fixture(scope="module")
def lexicon() -> HindiLexicon:
    return HindiLexicon()


def test_a_known_good_hindi_paragraph_scores_high_validity(lexicon: HindiLexicon) -> None:
    assert lexicon.validity([GOOD_HINDI]) >= 0.95


def test_devanagari_gibberish_scores_low_validity(lexicon: HindiLexicon) -> None:
    assert lexicon.validity([GIBBERISH]) <= 0.1
    half = GOOD_HINDI[: len(GOOD_HINDI) // 2] + " " + GIBBERISH
    assert lexicon.validity([GIBBERISH]) < lexicon.validity([half]) < lexicon.validity([GOOD_HINDI])


def test_inflected_forms_of_dictionary_words_count_as_hindi(lexicon: HindiLexicon) -> None:
    # The Debian list has लोहा and दौड़ना but not these forms.
    assert lexicon.accepts("लोहे") and lexicon.accepts("दौड़कर")
    assert lexicon.validity(["hello world 123"]) == 0.0  # no Devanagari words: nothing to accept


def test_a_corpus_vocabulary_extends_the_dictionary() -> None:
    story = seed_stories("hi_part_a.jsonl", 1)[0]["text"]
    bare, extended = HindiLexicon(), HindiLexicon(extra_words=vocabulary([story]))
    assert bare.validity([story]) < 1.0 and extended.validity([story]) == 1.0
    assert extended.validity([GIBBERISH]) <= 0.1


def test_a_missing_dictionary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="hunspell-hi"):
        HindiLexicon(tmp_path / "hi_IN")


def test_a_loop_scores_high_repetition_and_a_story_does_not() -> None:
    loop = "एक छोटे से गाँव में " + "उसकी पत्नी की मृत्यु के बाद " * 12
    assert repeated_ngram_share(loop) > 0.9
    assert repeated_ngram_share(GOOD_HINDI) == 0.0
    scores = repetition([GOOD_HINDI, loop])
    assert scores["repeat8_max"] > 0.9 and 0.4 < scores["repeat8_mean"] < 0.5


def test_prompt_adherence_looks_for_the_ideas_key_words_in_the_story_body() -> None:
    idea = "हाथी का बच्चा जो पानी से डरता था"
    on_topic = "हाथी का बच्चा\n\nनदी किनारे हाथियों के बच्चे खेलते थे। छोटू पानी में जाने से डरता था।"
    partly = "हाथी का बच्चा\n\nएक नन्हा हाथी नदी के किनारे खड़ा था। उसे पानी देखकर डर लगता था।"
    off_topic = "हाथी का बच्चा\n\nराधा अपने दादाजी के साथ खेत की ओर चल पड़ी।"
    # Key words हाथी, बच्चा, पानी, डरता; inflected forms (हाथियों, बच्चे) match by stem.
    assert prompt_adherence(idea, on_topic) == 1.0
    assert prompt_adherence(idea, partly) == 0.5  # हाथी and पानी; no बच्चा, and डर लगता is not डरता
    assert prompt_adherence(idea, off_topic) == 0.0  # the repeated title does not count


def test_tokens_per_devanagari_char_tells_a_byte_level_tokenizer_from_a_devanagari_one(tiny_model_dir: Path) -> None:
    tokenizer = AutoTokenizer.from_pretrained(tiny_model_dir)
    cost = tokens_per_devanagari_char(tokenizer, [GOOD_HINDI])
    assert cost > 0.5  # the tiny test tokenizer has no Devanagari merges
    assert tokens_per_devanagari_char(tokenizer, ["only latin"]) == 0.0
