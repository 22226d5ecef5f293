"""Evaluation metrics on Hindi text: Devanagari must count, not vanish."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer

from training.evaluate.metrics import bleu, devanagari_purity, distinct_n, length_compliance, rouge
from training_tests.utils.corpus import seed_stories

STORY = seed_stories("hi_part_a.jsonl", 1)[0]["text"]
OTHER = seed_stories("hi_part_b.jsonl", 1)[0]["text"]


def test_identical_hindi_texts_score_perfectly() -> None:
    assert bleu([STORY], [STORY]) == pytest.approx(100.0)
    assert rouge([STORY], [STORY]) == pytest.approx({"rouge1": 1.0, "rouge2": 1.0, "rougeL": 1.0})


def test_rouge_scores_hindi_that_the_default_tokenizer_would_drop() -> None:
    default = rouge_scorer.RougeScorer(["rouge1"]).score(STORY, STORY)["rouge1"].fmeasure
    assert default == 0.0  # why the custom tokenizer exists
    half = STORY[: len(STORY) // 2]
    assert 0.3 < rouge([half], [STORY])["rouge1"] < 1.0


def test_different_stories_score_lower_than_overlapping_ones() -> None:
    overlapping = STORY.replace("मिनी", "बिल्लो")
    assert 0 < bleu([OTHER], [STORY]) < bleu([overlapping], [STORY]) < 100
    assert rouge([OTHER], [STORY])["rougeL"] < rouge([overlapping], [STORY])["rougeL"] < 1.0


def test_devanagari_purity_counts_vowel_signs_as_letters() -> None:
    assert devanagari_purity(["किताब"]) == 1.0  # क ि त ा ब: two of five are vowel signs
    assert devanagari_purity(["किताब book"]) == pytest.approx(5 / 9)
    assert devanagari_purity(["123 !!"]) == 0.0


def test_distinct_n_falls_with_repetition() -> None:
    assert distinct_n(["एक दो तीन चार"], 1) == 1.0
    assert distinct_n(["नदी नदी नदी नदी"], 1) == 0.25
    assert distinct_n(["नदी नदी नदी नदी"], 2) == pytest.approx(1 / 3)


def test_length_compliance_uses_the_age_groups_word_budget() -> None:
    words_150, words_50 = " ".join(["शब्द"] * 150), " ".join(["शब्द"] * 50)
    assert length_compliance([words_150, words_50], ["3-5", "3-5"]) == 0.5  # 3-5: 120-200 words
    assert length_compliance([words_150], ["13-17"]) == 0.0  # 13-17: 300-500 words
