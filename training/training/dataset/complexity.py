"""Story complexity: a weighted sum of z-scored features, so each feature counts on the same scale.

Features per story:
- length: log(1 + word count) — longer stories ask more of a reader's memory (log: 600 vs 300 words matters
  more than 1,300 vs 1,000);
- sentence_length: mean words per sentence (split on . ! ? । ॥ and line breaks);
- rarity: mean -log p(word) with p the add-one-smoothed word frequency over the records scored together —
  rare words are hard words;
- dialogue: share of characters inside double quotes — more voices and turns to follow.
complexity = Σ weight_f · (feature_f − mean_f) / std_f over the corpus (std 0 → the feature contributes 0).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from training.config import ComplexityWeights
from training.dataset.text_units import sentences, words

QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»")
FEATURES: tuple[str, ...] = ("length", "sentence_length", "rarity", "dialogue")


@dataclass(frozen=True)
class StoryFeatures:
    length: float
    sentence_length: float
    rarity: float
    dialogue: float


def dialogue_share(text: str) -> float:
    quoted = sum(len(match) for match in QUOTED.findall(text))
    return quoted / len(text) if text else 0.0


def story_features(text: str, *, frequencies: Counter[str], total: int) -> StoryFeatures:
    tokens = words(text)
    vocabulary = len(frequencies) + 1
    rarity = [-math.log((frequencies[token] + 1) / (total + vocabulary)) for token in tokens]
    parts = sentences(text)
    return StoryFeatures(
        length=math.log1p(len(tokens)),
        sentence_length=len(tokens) / max(len(parts), 1),
        rarity=sum(rarity) / len(rarity) if rarity else 0.0,
        dialogue=dialogue_share(text),
    )


def z_scores(values: Sequence[float]) -> list[float]:
    mean = sum(values) / len(values)
    std = math.sqrt(sum((value - mean) ** 2 for value in values) / len(values))
    return [0.0 if std == 0 else (value - mean) / std for value in values]


def complexity_scores(texts: Sequence[str], *, weights: ComplexityWeights) -> tuple[list[float], list[StoryFeatures]]:
    """One complexity score per text (and its raw features), relative to the texts scored together."""
    if not texts:
        return [], []
    frequencies: Counter[str] = Counter(token for text in texts for token in words(text))
    total = sum(frequencies.values())
    features = [story_features(text, frequencies=frequencies, total=total) for text in texts]
    scores = [0.0] * len(texts)
    for name in FEATURES:
        weight = getattr(weights, name)
        for index, z in enumerate(z_scores([getattr(item, name) for item in features])):
            scores[index] += weight * z
    return scores, features
