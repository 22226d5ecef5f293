"""Exact duplicates (hash of normalised text) and near duplicates (word-shingle MinHash with LSH banding)."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Hashable

import numpy as np

from training.dataset.text_units import words

# A Mersenne prime below 2**31: a shingle hash (< 2**32) times a coefficient (< 2**31) stays inside uint64.
PRIME = (1 << 31) - 1


def text_fingerprint(text: str) -> str:
    """sha256 of the case-folded word sequence: spacing, punctuation and case do not make a new story."""
    return hashlib.sha256(" ".join(words(text)).encode("utf-8")).hexdigest()


def shingles(text: str, size: int) -> set[str]:
    tokens = words(text)
    if len(tokens) <= size:
        return {" ".join(tokens)} if tokens else set()
    return {" ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


class MinHasher:
    """MinHash signatures over word shingles with seeded universal hashes (a*x + b) mod p."""

    def __init__(self, *, permutations: int, shingle_size: int, seed: int) -> None:
        rng = np.random.default_rng(seed)
        self.a = rng.integers(1, PRIME, permutations, dtype=np.uint64)
        self.b = rng.integers(0, PRIME, permutations, dtype=np.uint64)
        self.shingle_size = shingle_size

    def signature(self, text: str) -> np.ndarray:
        items = shingles(text, self.shingle_size)
        if not items:
            return np.full(len(self.a), PRIME, dtype=np.uint64)
        hashed = np.array(
            [int.from_bytes(hashlib.blake2b(s.encode("utf-8"), digest_size=4).digest(), "little") for s in sorted(items)],
            dtype=np.uint64,
        )
        signature: np.ndarray = ((np.outer(hashed, self.a) + self.b) % PRIME).min(axis=0)
        return signature


def estimated_jaccard(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.mean(first == second))


def lsh_shape(*, permutations: int, threshold: float, miss_weight: float = 0.7) -> tuple[int, int]:
    """(bands, rows) minimising weighted false positives/negatives around `threshold`; misses weigh more
    because every candidate is verified by its estimated Jaccard anyway."""
    grid = np.linspace(0.0, 1.0, 201)
    best: tuple[float, int, int] | None = None
    for rows in range(1, permutations + 1):
        if permutations % rows:
            continue
        bands = permutations // rows
        caught = 1 - (1 - grid**rows) ** bands
        false_positive = np.trapezoid(np.where(grid < threshold, caught, 0), grid)
        false_negative = np.trapezoid(np.where(grid >= threshold, 1 - caught, 0), grid)
        cost = (1 - miss_weight) * false_positive + miss_weight * false_negative
        if best is None or cost < best[0]:
            best = (float(cost), bands, rows)
    assert best is not None
    return best[1], best[2]


class LshIndex:
    """Banded buckets of signatures: two signatures sharing any band become candidates."""

    def __init__(self, *, permutations: int, threshold: float) -> None:
        self.bands, self.rows = lsh_shape(permutations=permutations, threshold=threshold)
        self.threshold = threshold
        self.buckets: list[dict[bytes, list[Hashable]]] = [defaultdict(list) for _ in range(self.bands)]
        self.signatures: dict[Hashable, np.ndarray] = {}

    def _band_keys(self, signature: np.ndarray) -> list[bytes]:
        return [signature[i * self.rows : (i + 1) * self.rows].tobytes() for i in range(self.bands)]

    def insert(self, key: Hashable, signature: np.ndarray) -> None:
        self.signatures[key] = signature
        for bucket, band in zip(self.buckets, self._band_keys(signature), strict=True):
            bucket[band].append(key)

    def most_similar(self, signature: np.ndarray) -> tuple[Hashable, float] | None:
        """The indexed key most similar to `signature` at or above the threshold, if any."""
        candidates = {key for bucket, band in zip(self.buckets, self._band_keys(signature), strict=True) for key in bucket.get(band, ())}
        scored = [(estimated_jaccard(signature, self.signatures[key]), str(key), key) for key in candidates]
        above = [item for item in scored if item[0] >= self.threshold]
        if not above:
            return None
        similarity, _, key = max(above, key=lambda item: (item[0], item[1]))
        return key, similarity
