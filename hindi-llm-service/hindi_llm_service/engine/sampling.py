"""Choosing the next token from logits: greedy at temperature 0, otherwise temperature + nucleus (top-p) sampling."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def choose_token(logits: torch.Tensor, *, temperature: float, top_p: float, generator: torch.Generator) -> int:
    """The next token id for one sequence's last-position logits."""
    if temperature == 0:
        return int(torch.argmax(logits))
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    if top_p >= 1.0:
        return int(torch.multinomial(probs, 1, generator=generator))
    sorted_probs, order = torch.sort(probs, descending=True)
    # Keep the smallest prefix whose mass reaches top_p (always at least the most likely token).
    mass_before = torch.cumsum(sorted_probs, dim=-1) - sorted_probs
    kept = torch.where(mass_before < top_p, sorted_probs, torch.zeros_like(sorted_probs))
    return int(order[torch.multinomial(kept, 1, generator=generator)])


def penalised(logits: torch.Tensor, previous: Sequence[int], *, frequency: float, presence: float) -> torch.Tensor:
    """OpenAI's frequency and presence penalties: each token already in the completion loses `frequency` per
    occurrence plus `presence` once (small positive values keep a small model from looping)."""
    if not previous:
        return logits
    tokens, counts = torch.unique(torch.tensor(previous, dtype=torch.long), return_counts=True)
    adjusted = logits.clone()
    adjusted[tokens] -= frequency * counts.to(logits.dtype) + presence
    return adjusted


def repetition_penalised(logits: torch.Tensor, seen: Sequence[int], penalty: float) -> torch.Tensor:
    """The multiplicative repetition penalty of transformers and vLLM: each token of the prompt or completion has
    its logit divided by `penalty` when positive, multiplied when negative (either way, less likely for > 1)."""
    tokens = torch.unique(torch.tensor(seen, dtype=torch.long))
    adjusted = logits.clone()
    values = adjusted[tokens]
    adjusted[tokens] = torch.where(values > 0, values / penalty, values * penalty)
    return adjusted


def request_generator(seed: int | None) -> torch.Generator:
    """A private RNG per request, so a seeded request repeats whatever runs beside it."""
    generator = torch.Generator()
    if seed is None:
        generator.seed()
    else:
        generator.manual_seed(seed)
    return generator
