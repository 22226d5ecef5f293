"""Held-out evaluation set (stratified by complexity) and the three curriculum stages."""

from __future__ import annotations

import random
from collections.abc import Sequence


def stratified_eval_indices(complexities: Sequence[float], *, fraction: float, seed: int) -> list[int]:
    """One index drawn from each of n equal-width rank strata of complexity, n = round(fraction × count)."""
    count = len(complexities)
    wanted = round(fraction * count)
    if fraction > 0 and count >= 2:
        wanted = max(wanted, 1)
    wanted = min(wanted, count - 1) if count else 0
    if wanted <= 0:
        return []
    ranked = sorted(range(count), key=lambda index: (complexities[index], index))
    rng = random.Random(seed)
    bounds = [round(step * count / wanted) for step in range(wanted + 1)]
    return sorted(rng.choice(ranked[bounds[i] : bounds[i + 1]]) for i in range(wanted))


def stage_sizes(count: int, fractions: Sequence[float]) -> list[int]:
    """How many of `count` records (ordered by complexity) each stage takes; cumulative rounding keeps the sum."""
    cuts = [0]
    running = 0.0
    for fraction in fractions[:-1]:
        running += fraction
        cuts.append(round(running * count))
    cuts.append(count)
    return [cuts[i + 1] - cuts[i] for i in range(len(fractions))]


def split_stages(order: Sequence[int], complexities: Sequence[float], fractions: Sequence[float]) -> list[list[int]]:
    """Indices in `order`, sorted from simple to complex, cut into consecutive stages."""
    ranked = sorted(order, key=lambda index: (complexities[index], index))
    stages, start = [], 0
    for size in stage_sizes(len(ranked), fractions):
        stages.append(ranked[start : start + size])
        start += size
    return stages
