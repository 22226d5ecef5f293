"""Text metrics that work on Devanagari: BLEU, ROUGE, script purity, distinct-n, length compliance.

Both BLEU and ROUGE see the same Devanagari-aware word tokens (`training.dataset.text_units.words`): sacrebleu's
13a tokenizer and rouge-score's default tokenizer split or drop Hindi vowel signs, which scores Hindi near 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

import sacrebleu
from rouge_score import rouge_scorer

from storyscape_common.story_prompts import WORD_BUDGETS
from training.dataset.language import script_shares
from training.dataset.text_units import words

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")


class DevanagariWordTokenizer:
    """rouge-score's tokenizer interface: `tokenize(text) -> tokens`, keeping Devanagari words whole."""

    def tokenize(self, text: str) -> list[str]:
        return words(text)


def bleu(hypotheses: Sequence[str], references: Sequence[str]) -> float:
    """Corpus BLEU (0-100) over pre-split words; tokenize="none" keeps sacrebleu from re-splitting them."""
    hypothesis_words, reference_words = ([" ".join(words(text)) for text in texts] for texts in (hypotheses, references))
    return float(sacrebleu.corpus_bleu(hypothesis_words, [reference_words], tokenize="none").score)


def rouge(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F1 over the pairs (0-1)."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=DevanagariWordTokenizer())
    scores = [scorer.score(reference, hypothesis) for hypothesis, reference in zip(hypotheses, references, strict=True)]
    return {name: fmean(score[name].fmeasure for score in scores) if scores else 0.0 for name in ROUGE_TYPES}


def devanagari_purity(texts: Sequence[str]) -> float:
    """Share of all letters (vowel signs included) that are Devanagari."""
    return script_shares("\n".join(texts)).devanagari


def distinct_n(texts: Sequence[str], n: int) -> float:
    """Unique word n-grams over all n-grams across the texts (low = repetitive)."""
    grams = [tuple(tokens[i : i + n]) for tokens in map(words, texts) for i in range(len(tokens) - n + 1)]
    return len(set(grams)) / len(grams) if grams else 0.0


def within_word_budget(text: str, age_group: str) -> bool:
    fewest, most = WORD_BUDGETS[age_group]
    return fewest <= len(words(text)) <= most


def length_compliance(texts: Sequence[str], age_groups: Sequence[str]) -> float:
    """Share of texts whose word count lies within their age group's budget."""
    checks = [within_word_budget(text, group) for text, group in zip(texts, age_groups, strict=True)]
    return sum(checks) / len(checks) if checks else 0.0
