"""Corpus files for tests: real seed stories, altered copies, and a tiny-test config pointing at them."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from training.config import TrainingConfig, load_config
from training.dataset.corpus import Record, read_jsonl, write_jsonl
from training.dataset.text_units import WORD, words

TRAINING_DIR = Path(__file__).resolve().parents[2]
SEED_DIR = TRAINING_DIR / "data" / "seed"
TINY_CONFIG = TRAINING_DIR / "configs" / "tiny-test.yaml"
REPLACEMENT_WORDS = ["पतंग", "बादल", "नदी", "झूला", "किताब", "तारा", "मेला", "आम"]


def seed_stories(file_name: str, count: int) -> list[Record]:
    return read_jsonl(SEED_DIR / file_name)[:count]


def with_words_changed(text: str, *, count: int, seed: int = 0) -> str:
    """The same story with `count` words (spread over the text) swapped for others."""
    tokens = text.split(" ")
    single_words = [i for i, token in enumerate(tokens) if len(words(token)) == 1 and "\n" not in token]
    rng = random.Random(seed)
    for position in rng.sample(single_words, count):
        # Keep the token's punctuation (a danda ends a sentence) and swap only the word.
        tokens[position] = WORD.sub(rng.choice(REPLACEMENT_WORDS), tokens[position], count=1)
    changed = " ".join(tokens)
    assert len(words(changed)) == len(words(text))
    return changed


def shingle_jaccard(first: str, second: str, size: int = 3) -> float:
    """Exact word-shingle Jaccard, computed independently of the MinHash code under test."""

    def grams(text: str) -> set[tuple[str, ...]]:
        tokens = words(text)
        return {tuple(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 1))}

    a, b = grams(first), grams(second)
    return len(a & b) / len(a | b)


def tiny_config(run_dir: Path, *, sources: list[Path], **sections: Any) -> TrainingConfig:
    """tiny-test.yaml with this test's run folder and corpus files (plus any section updates)."""
    updates: dict[str, Any] = {"run_dir": str(run_dir), "data": {"sources": [str(path) for path in sources]}}
    for name, values in sections.items():
        updates[name] = {**updates.get(name, {}), **values} if isinstance(values, dict) else values
    return load_config(TINY_CONFIG, updates=updates)


def write_corpus(path: Path, records: list[Record]) -> Path:
    write_jsonl(path, records)
    return path
