"""Which examples a stage trains on and in what order: a pure function of the seed, so a resumed run replays it."""

from __future__ import annotations

import math
import random

from training.config import StageConfig
from training.dataset.corpus import Record


def stage_records(records: list[Record], *, stage: StageConfig, seed: int) -> list[Record]:
    """The stage file, or a seeded sample of `max_examples` of it (kept in file order)."""
    if stage.max_examples is None or stage.max_examples >= len(records):
        return list(records)
    chosen = sorted(random.Random(f"{seed}:{stage.name}:sample").sample(range(len(records)), stage.max_examples))
    return [records[index] for index in chosen]


def step_plan(count: int, *, stage: StageConfig, seed: int) -> list[list[list[int]]]:
    """Optimizer steps → micro-batches → example indices: `epochs` reshuffled passes (a fraction cuts the last one)."""
    order: list[int] = []
    for epoch in range(math.ceil(stage.epochs)):
        indices = list(range(count))
        random.Random(f"{seed}:{stage.name}:epoch{epoch}").shuffle(indices)
        order += indices
    order = order[: max(1, round(stage.epochs * count))]
    micro = [order[start : start + stage.batch_size] for start in range(0, len(order), stage.batch_size)]
    return [micro[start : start + stage.grad_accum] for start in range(0, len(micro), stage.grad_accum)]
