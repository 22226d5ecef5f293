"""Held-out perplexity: the loss on story tokens only, the same tokens training is scored on."""

from __future__ import annotations

import math
from typing import Any

import torch

from training.dataset.corpus import Record
from training.train.examples import collate, render_example
from training.train.loss import story_nll
from training.train.model import device


@torch.no_grad()
def story_perplexity(model: Any, tokenizer: Any, records: list[Record], *, max_length: int, batch_size: int) -> dict[str, float]:
    """exp(mean story-token NLL) over the records, each cut to `max_length` tokens like a training example."""
    examples = [render_example(tokenizer, record, max_length=max_length) for record in records]
    total, count = 0.0, 0
    for start in range(0, len(examples), batch_size):
        batch = collate(examples[start : start + batch_size], pad_id=tokenizer.pad_token_id).to(device())
        nll, tokens = story_nll(model, batch)
        total, count = total + float(nll), count + tokens
    mean = total / max(count, 1)
    return {"perplexity": math.exp(mean), "story_nll": mean, "story_tokens": count}
