"""Summed negative log-likelihood of the story tokens, computing logits only where a story token is predicted."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from training.train.examples import IGNORE, Batch


def story_nll(model: Any, batch: Batch) -> tuple[torch.Tensor, int]:
    """(sum of story-token NLL, story-token count). Rows are left-padded, so stories sit at the end of every row."""
    labelled = (batch.labels != IGNORE).any(dim=0).nonzero()
    width = batch.input_ids.shape[1]
    # The vocabulary projection is the costliest layer on a small model: skip it over the prompt.
    keep = min(width - int(labelled[0]) + 1, width) if len(labelled) else 1
    logits = model(
        input_ids=batch.input_ids,
        attention_mask=batch.attention_mask,
        position_ids=batch.position_ids,
        logits_to_keep=keep,
        use_cache=False,
    ).logits
    targets = batch.labels[:, width - keep + 1 :]
    predicted = logits[:, :-1].float()
    nll = F.cross_entropy(predicted.reshape(-1, predicted.shape[-1]), targets.reshape(-1), ignore_index=IGNORE, reduction="sum")
    return nll, int((targets != IGNORE).sum())
